"""static/wording.js says exactly what wording.py says (issue 10 item 2), run in Debian Chromium.

The pages word the wait with the script, the ticket printer and exports with Python; both get the
same words from wording.catalogue, and here the same figures must give the same text.
"""

from __future__ import annotations

import pytest

import wording
from tests.conftest import LiveServer, quiet_kiosks_config

CASES = [  # (ahead, minutes, low, high)
    (0, 0, None, None), (0, 24, None, None), (3, 24, None, None), (3, 0.2, None, None), (None, None, None, None),
    (5, None, None, None), (2, 1500, None, None), (4, 12, 10, 20), (4, 12, 12, 12), (1234, 7.25, None, None),
]
NUMBERS = [0, 0.2, 12.5, 12.0, 1234, 1234567.25, 0.04, 0.05, -3.5, -0.01, 999.96, 7]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("words")
    live = LiveServer(folder / "queue.db", config=quiet_kiosks_config(folder)).start()
    yield live
    live.stop()


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_script_words_every_case_as_python_does(server, page, lang):
    page.goto(f"{server.url}/display/")
    got = page.evaluate("""async ([words, cases, numbers]) => {
      const { waitWords, formatNumber } = await import("/static/wording.js");
      return { waits: cases.map(([ahead, minutes, low, high]) => waitWords(words, ahead, minutes, low, high)),
               numbers: numbers.map((n) => formatNumber(n, words)) };
    }""", [wording.catalogue(lang), CASES, NUMBERS])
    expected = [wording.wait_words(ahead, minutes, lang, low=low, high=high) for ahead, minutes, low, high in CASES]
    assert got["waits"] == expected
    assert got["numbers"] == [wording.format_number(n, lang) for n in NUMBERS]
