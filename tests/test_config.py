"""Settings come from NOTEWRITER_* variables through one settings object; one user cache folder."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from notewriter.config import LLMSettings, Rules, settings, user_cache_dir
from notewriter.errors import UsageError


def test_llm_settings_from_the_environment(monkeypatch):
    for name, value in {"OPENAI_API_KEY": "sk-test", "OPENAI_BASE_URL": "http://127.0.0.1:8000/v1",
                        "NOTEWRITER_LLM_MODEL": "qwen2.5-7b-instruct", "NOTEWRITER_LLM_TIMEOUT": "12.5",
                        "NOTEWRITER_LLM_CACHE": "off", "NOTEWRITER_LLM_CONCURRENCY": "3"}.items():
        monkeypatch.setenv(name, value)
    s = LLMSettings.from_env(max_retries=5, model=None)  # None means "not given": the environment's model stays
    assert (s.api_key, s.base_url, s.model) == ("sk-test", "http://127.0.0.1:8000/v1", "qwen2.5-7b-instruct")
    assert (s.timeout, s.max_retries, s.cache, s.max_concurrency) == (12.5, 5, False, 3)
    assert "sk-test" not in repr(s)


def test_a_bad_variable_is_one_usage_line_naming_it(monkeypatch):
    monkeypatch.setenv("NOTEWRITER_LLM_TIMEOUT", "soon")
    with pytest.raises(UsageError, match="NOTEWRITER_LLM_TIMEOUT='soon' is not valid"):
        LLMSettings.from_env()
    monkeypatch.delenv("NOTEWRITER_LLM_TIMEOUT")
    with pytest.raises(UsageError, match="timeout"):
        LLMSettings.from_env(timeout=0)
    monkeypatch.setenv("NOTEWRITER_RULES__STRESS_PCT", "-1")
    with pytest.raises(UsageError, match="NOTEWRITER_RULES__STRESS_PCT|rules"):
        settings()


def test_blank_variables_count_as_unset(monkeypatch):
    monkeypatch.setenv("NOTEWRITER_LLM_TIMEOUT", "")
    monkeypatch.setenv("NOTEWRITER_CACHE_DIR", "")
    monkeypatch.setenv("XDG_CACHE_HOME", "/xdg")
    assert LLMSettings.from_env().timeout == 60.0
    assert settings().cache_dir is None


def test_rule_thresholds_from_the_environment(monkeypatch):
    monkeypatch.setenv("NOTEWRITER_RULES__STRESS_PCT", "0.03")
    assert settings().rules.stress_pct == 0.03
    assert settings().rules.adv_sessions == Rules().adv_sessions == 20
    assert hash(Rules()) == hash(Rules())  # frozen: usable as a cache key


def test_user_cache_dir_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("NOTEWRITER_CACHE_DIR", str(tmp_path / "c"))
    assert user_cache_dir() == tmp_path / "c"
    assert [user_cache_dir(k) for k in ("llm", "yfinance", "columnar")] == [tmp_path / "c" / k for k in
                                                                           ("llm", "yfinance", "columnar")]


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="the XDG layout is for Linux and other Unixes")
def test_user_cache_dir_follows_xdg_then_home(monkeypatch, tmp_path):
    monkeypatch.delenv("NOTEWRITER_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert user_cache_dir("yfinance") == tmp_path / "xdg" / "notewriter" / "yfinance"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert user_cache_dir("llm") == tmp_path / "home" / ".cache" / "notewriter" / "llm"


def test_columnar_cache_never_lands_in_the_data_directory(tmp_path, monkeypatch):
    import shutil

    from notewriter.facts.panel import panel_for
    from notewriter.sources.local import DataDirSource

    from .conftest import SAMPLES

    data = tmp_path / "data"
    shutil.copytree(SAMPLES, data)
    monkeypatch.setenv("NOTEWRITER_CACHE_DIR", str(tmp_path / "cache"))
    panel_for(DataDirSource(data))
    assert sorted(p.name for p in data.iterdir()) == sorted(p.name for p in SAMPLES.iterdir())
    assert list((tmp_path / "cache" / "columnar").iterdir()), "the cache went to the user cache folder"
    assert Path(tmp_path / "cache" / "columnar").is_dir()
