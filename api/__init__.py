"""The JSON HTTP API (`/api/...`): the one door every screen, device and other system uses to act."""
