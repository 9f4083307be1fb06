"""[dossiers] in config.toml: the shipped demo's values, and every wrong key named with its path."""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path

import pytest

from core.settings import ConfigError, parse_settings

CONFIG = Path(__file__).resolve().parents[2] / "config.toml"
with open(CONFIG, "rb") as _handle:
    SHIPPED = tomllib.load(_handle)


def with_dossiers(**changes) -> dict:
    data = copy.deepcopy(SHIPPED)
    data["dossiers"].update(changes)
    return data


def test_the_demo_reads_an_import_with_luhn_codes_and_result_counter_8():
    options = parse_settings(copy.deepcopy(SHIPPED)).dossiers
    assert (options.source, options.checksum, options.result_counter, options.result_service) == ("import", "luhn", "8", "")
    assert options.columns["code"] == "Mã hồ sơ" and options.http.timeout_seconds == 2.5
    without = copy.deepcopy(SHIPPED)
    del without["dossiers"]
    assert parse_settings(without).dossiers.source == "none"


@pytest.mark.parametrize("changes, message", [
    ({"source": "ftp"}, "dossiers.source: expected one of none, import, http"),
    ({"checksum": "crc"}, "dossiers.checksum"),
    ({"code_pattern": "([A-Z"}, "dossiers.code_pattern: not a regular expression"),
    ({"result_counter": "99"}, "dossiers.result_counter: unknown counter '99'"),
    ({"result_service": "NOPE"}, "dossiers.result_service: unknown service 'NOPE'"),
    ({"statuses": {"Hoàn tất": "done"}}, "dossiers.statuses.Hoàn tất: expected one of"),
    ({"colums": {}}, "dossiers.colums: unknown key"),
    ({"columns": {"code": ""}}, "dossiers.columns.code: expected a non-empty string"),
    ({"columns": {"barcode": "Mã"}}, "dossiers.columns.barcode: unknown key"),
    ({"source": "http"}, "dossiers.http.url: expected http(s)://host"),
    ({"http": {"url": "http://10.0.0.2/api", "timeout_seconds": 10}}, "dossiers.http.timeout_seconds: at most 3"),
])
def test_a_wrong_dossiers_key_stops_the_server_with_its_path(changes, message):
    with pytest.raises(ConfigError) as caught:
        parse_settings(with_dossiers(**changes))
    assert message in str(caught.value)
