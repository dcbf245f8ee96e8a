"""The command line end to end: exit codes, messages, the check round trip, the LLM pass."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

from notewriter.cli import main

from .conftest import SAMPLES, sessions, write_fund, write_prices, write_shares
from .openai_server import INVENTED, serve


def run(*args, env=None):
    result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_funds_lists_ticker_first():
    code, out, _ = run("funds")
    lines = out.strip().splitlines()
    assert code == 0
    tickers = [line.split("\t")[0] for line in lines]
    for t in ("IJR", "IWM", "QQQ", "SPY"):
        assert t in tickers
    assert "AAPL" not in tickers  # a component stock, not a fund
    assert len(lines) >= 12


def test_write_defaults_to_samples_and_says_so():
    code, out, _ = run("write", "IJR")
    assert code == 0
    assert out.startswith("# IJR:")
    assert "Sample note" in out and "synthetic" in out


def test_write_formats_and_out_file(tmp_path):
    for fmt in ("md", "html", "txt", "json"):
        path = tmp_path / f"ijr.{fmt}"
        code, out, err = run("write", "IJR", "--format", fmt, "--out", str(path))
        assert code == 0, err
        assert out == ""
        text = path.read_text()
        assert "$399.4 million" in text
    doc = json.loads((tmp_path / "ijr.json").read_text())
    assert set(doc) >= {"facts", "sections", "sentiment", "check"}
    assert doc["check"]["ok"] is True and doc["check"]["unsupported"] == 0
    assert doc["sections"]["contrarian_angle"]["origin"] == "template"
    assert (tmp_path / "ijr.html").read_text().startswith("<!doctype html>")


def test_check_round_trip_and_an_edit_that_breaks_a_number(tmp_path):
    note, facts = tmp_path / "ijr.md", tmp_path / "facts.json"
    assert run("write", "IJR", "--out", str(note))[0] == 0
    assert run("facts", "IJR", "--out", str(facts))[0] == 0
    code, out, _ = run("check", str(note), "--facts", str(facts))
    assert code == 0, out
    assert out.strip().endswith("0 unsupported")
    edited = tmp_path / "edited.md"
    edited.write_text(note.read_text().replace("$399.4 million net outflow", "$399.9 million net outflow", 1))
    code, out, _ = run("check", str(edited), "--facts", str(facts))
    assert code == 1
    assert "'$399.9 million'" in out and "FAIL" in out


def test_unknown_ticker_is_a_usage_error():
    code, _, err = run("write", "NOPE")
    assert code == 2
    assert "no prices for NOPE" in err


def test_bad_date_is_a_usage_error():
    code, _, err = run("write", "IJR", "--as-of", "2024-13-45")
    assert code == 2
    assert "YYYY-MM-DD" in err


@pytest.fixture
def broken_dir(tmp_path):
    days = sessions("2024-01-02", "2024-03-28")
    write_prices(tmp_path, "AAA", days, 50.0)
    write_fund(tmp_path, "AAA", longName="Alpha Fund")
    lines = (tmp_path / "prices" / "AAA.csv").read_text().splitlines()
    cells = lines[5].split(",")
    assert lines[0].split(",")[4] == "Close"
    cells[4] = "12..5"  # a corrupt Close in file row 6 (the header is row 1)
    lines[5] = ",".join(cells)
    (tmp_path / "prices" / "AAA.csv").write_text("\n".join(lines) + "\n")
    return tmp_path


def test_malformed_price_file_exits_2_naming_file_and_row(broken_dir):
    proc = subprocess.run([sys.executable, "-m", "notewriter", "write", "AAA", "--data", str(broken_dir)],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    err = proc.stderr.strip()
    assert len(err.splitlines()) == 1, err
    assert "Traceback" not in err
    assert "prices/AAA.csv" in err and "row 6" in err and "'Close'" in err and "'12..5'" in err


def test_script_name_in_fund_name_is_inert_in_html(tmp_path):
    days = sessions("2024-01-02", "2024-06-28")
    write_prices(tmp_path, "EVIL", days, 20.0)
    write_fund(tmp_path, "EVIL", longName="Evil <script>alert(1)</script> Fund",
               topHoldings=[{"symbol": "XYZ", "name": "<img src=x onerror=alert(2)>", "weight": 0.05}])
    write_shares(tmp_path, [(d.date().isoformat(), "EVIL", 1_000_000 + 50_000 * (i // 20), 20.0)
                            for i, d in enumerate(days)])
    code, out, err = run("write", "EVIL", "--data", str(tmp_path), "--format", "html")
    assert code == 0, err
    assert "<script>" not in out and "<img" not in out
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out


# ---- the LLM pass through the CLI -------------------------------------------------------------

def _llm_env(server):
    return {"OPENAI_API_KEY": "test-key", "OPENAI_BASE_URL": server.base_url, "NOTEWRITER_LLM_MODEL": "test-model",
            "NOTEWRITER_LLM_TIMEOUT": "5"}


def test_llm_inventing_numbers_falls_back_to_template_everywhere():
    with serve(default="invent") as server:
        code, out, err = run("write", "IJR", "--llm", "--format", "json", env=_llm_env(server))
    assert code == 0, err
    doc = json.loads(out)
    published = doc["markdown"] + "".join(s["text"] for s in doc["sections"].values())
    assert "9.87" not in published
    assert {s["origin"] for s in doc["sections"].values()} == {"template"}
    assert all("unsupported" in s["reason"] for s in doc["sections"].values())
    assert doc["check"]["ok"]
    assert doc["run"]["model"] == "test-model"
    assert INVENTED not in doc["markdown"]


def test_llm_clean_text_is_used_and_marked():
    with serve(default="echo") as server:
        code, out, err = run("write", "IJR", "--llm", "--format", "json", env=_llm_env(server))
    assert code == 0, err
    doc = json.loads(out)
    origins = {k: s["origin"] for k, s in doc["sections"].items()}
    assert origins["lede"] == "llm"
    assert list(origins.values()).count("llm") >= 7, origins
    # the echo server rewords "recorded"/"implies" etc.; its text must be what was published
    assert "points to" in doc["markdown"] or "recorded" in doc["markdown"]
    assert doc["check"]["ok"]
    assert doc["run"]["prompt_tokens"] > 0


def test_llm_endpoint_down_gives_template_note_and_one_warning():
    from .openai_server import unused_port

    env = {"OPENAI_API_KEY": "k", "OPENAI_BASE_URL": f"http://127.0.0.1:{unused_port()}/v1",
           "NOTEWRITER_LLM_MODEL": "m", "NOTEWRITER_LLM_MAX_RETRIES": "0"}
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "notewriter", "write", "IJR", "--llm"], capture_output=True,
                          text=True, env={**os.environ, **env})
    assert proc.returncode == 0
    assert time.monotonic() - started < 60
    assert proc.stdout.startswith("# IJR:") and "$399.4 million" in proc.stdout
    warning = proc.stderr.strip().splitlines()
    assert len(warning) == 1 and "unreachable" in warning[0]


def test_digest_llm_clean_and_inventing():
    with serve(default="echo") as server:
        code, out, err = run("digest", "--format", "json", "--llm", env=_llm_env(server))
    assert code == 0, err
    doc = json.loads(out)
    prose = {k: s for k, s in doc["sections"].items() if k != "leaderboard"}
    assert {s["origin"] for s in prose.values()} == {"llm"}
    assert "origin" in doc["sections"]["leaderboard"] and doc["sections"]["leaderboard"]["origin"] == "template"
    assert doc["check"]["ok"]

    with serve(default="invent") as server:
        code, out, err = run("digest", "--format", "json", "--llm", env=_llm_env(server))
    assert code == 0, err
    doc = json.loads(out)
    assert {s["origin"] for s in doc["sections"].values()} == {"template"}
    assert "9.87" not in doc["markdown"]


def test_batch_llm_marks_every_note(tmp_path):
    with serve(default="echo") as server:
        code, _, err = run("batch", "--out", str(tmp_path), "--formats", "json", "--llm", env=_llm_env(server))
        requests = len(server.bodies())
    assert code == 0, err
    notes = sorted((tmp_path / "json").glob("*.json"))
    assert len(notes) >= 15  # 14 funds and the digest
    for path in notes:
        doc = json.loads(path.read_text())
        assert doc["sections"]["lede"]["origin"] == "llm", path.name
    assert requests >= len(notes)


def test_sentiment_score_prints_one_json_line_per_text(tmp_path):
    code, out, _ = run("sentiment", "score", "Outflows accelerated as the fund fell sharply", "Profits rose")
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert len(rows) == 2 and rows[0]["score"] < 0 < rows[1]["score"]
    assert {"text", "score", "label"} <= set(rows[0])
    path = tmp_path / "lines.txt"
    path.write_text("inflows surged\nlosses widened\n")
    code, out, _ = run("sentiment", "score", "--input", str(path))
    assert code == 0 and len(out.splitlines()) == 2


def test_sentiment_eval_twitter(market):
    code, out, err = run("sentiment", "eval", "--dataset", "twitter", "--shared", str(market.parents[1]))
    assert code == 0, err
    macro = float(next(line for line in out.splitlines() if line.startswith("macro-F1")).split()[1])
    assert macro >= 0.80
    assert "confusion" in out


def test_batch_llm_requests_run_concurrently_within_the_bound(tmp_path):
    env = {**_llm_env_for_concurrency(), "NOTEWRITER_LLM_CONCURRENCY": "3"}
    with serve(default="slow:0.3") as server:
        env.update(OPENAI_BASE_URL=server.base_url)
        code, _, err = run("batch", "--out", str(tmp_path), "--formats", "md", "--llm", env=env)
        peak = server.max_in_flight
    assert code == 0, err
    assert 2 <= peak <= 3  # more than one note's request in flight, never more than the bound


def _llm_env_for_concurrency():
    return {"OPENAI_API_KEY": "k", "NOTEWRITER_LLM_MODEL": "m", "NOTEWRITER_LLM_TIMEOUT": "10"}


def test_an_override_that_states_an_unsupported_number_is_not_published(tmp_path):
    override = tmp_path / "tpl" / "sections"
    override.mkdir(parents=True)
    shipped = (SAMPLES.parent / "templates" / "sections" / "contrarian_angle.md.j2").read_text()
    (override / "contrarian_angle.md.j2").write_text(shipped + "\nAnalysts expect 42 more redemptions.\n")
    code, out, err = run("write", "IJR", "--templates", str(tmp_path / "tpl"))
    assert code == 1 and out == ""
    assert "not published" in err and "'42'" in err
    out_dir = tmp_path / "out"
    code, _, err = run("batch", "--out", str(out_dir), "--formats", "md", "--templates", str(tmp_path / "tpl"))
    assert code == 1
    rows = [json.loads(line) for line in (out_dir / "manifest.jsonl").read_text().splitlines()]
    ijr = next(r for r in rows if r["ticker"] == "IJR")
    assert ijr["status"] == "failed" and "not published" in ijr["error"] and ijr["paths"] == {}
    assert not (out_dir / "md" / "IJR.md").exists()


def test_a_data_directory_named_with_digits_and_underscores_is_not_a_number(tmp_path):
    """The footer names the data directory; 'flows_2024_v2' is a name, not the numbers 2024 and 2."""
    data = tmp_path / "flows_2024_v2"
    days = sessions("2024-01-02", "2024-06-28")
    write_prices(data, "ABC", days, 20.0)
    write_fund(data, "ABC", longName="ABC Fund")
    write_shares(data, [(d.date().isoformat(), "ABC", 1_000_000 + 50_000 * (i // 20), 20.0)
                        for i, d in enumerate(days)])
    for fmt in ("md", "html"):
        code, out, err = run("write", "ABC", "--data", str(data), "--format", fmt)
        assert code == 0, err
        assert "flows_2024_v2" in out
