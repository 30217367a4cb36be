"""The chat skill: the serving file, the skill server over real HTTP on 127.0.0.1, and the
serverless handler with API Gateway proxy events against a serving file on moto's S3.

Every skill response is validated against the JSON Schema of Kakao's skill response format
(tests/python/kakao.py), for answers, unknown names and any input a user may type.
"""

from __future__ import annotations

import base64
import json
import logging
from pathlib import Path

import duckdb
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
import requests

from lookup import skill_lambda
from lookup.export_command import main as export_main
from lookup.serving_file import read_serving_file, with_folded_names, write_serving_file
from lookup.serving_index import ServingIndex
from lookup.serving_source import ServingFileSource
from lookup.skill_command import main as serve_main
from lookup.skill_server import SkillSettings, create_app
from tests.python.dbt_runner import DbtWorkspace
from tests.python.kakao import assert_skill_response, running_server
from tests.python.moto_s3 import s3
from tests.python.skill_events import proxy_event, skill_request

pytestmark = pytest.mark.slow
SERVING_KEY = "spotify-serving/skill/artist_recommendations.parquet"


@pytest.fixture(scope="module")
def serving_file(sample_warehouse: DbtWorkspace, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("serving") / "artist_recommendations.parquet"
    exit_code = export_main(["--db", str(sample_warehouse.duckdb_path), "--to", str(path)])
    assert exit_code == 0
    return path


@pytest.fixture(scope="module")
def skill_url(serving_file: Path):
    source = ServingFileSource(str(serving_file))
    with running_server(create_app(source)) as url:
        yield url + "/skill"


def ask(url: str, utterance: str, **params: str) -> dict:
    response = requests.post(url, json=skill_request(utterance, **params), timeout=10)
    assert response.status_code == 200, response.text
    document = response.json()
    assert_skill_response(document)
    return document


def carousel(document: dict) -> list[dict]:
    [cards] = [
        output["carousel"] for output in document["template"]["outputs"] if "carousel" in output
    ]
    assert cards["type"] == "textCard"
    return cards["items"]


def test_serving_file_is_the_mart_with_folded_names(
    sample_warehouse: DbtWorkspace, serving_file: Path
) -> None:
    table = read_serving_file(str(serving_file))
    with duckdb.connect(str(sample_warehouse.duckdb_path), read_only=True) as connection:
        [(artists,)] = connection.execute(
            "select count(*) from fct_artist_recommendations"
        ).fetchall()
    assert table.num_rows == artists
    beyonce = table.filter(pc.equal(table["artist_name"], "Beyoncé"))
    assert beyonce["folded_name"].to_pylist() == ["beyonce"]
    blackpink = table.filter(pc.equal(table["artist_name"], "BLACKPINK"))
    assert "블랙핑크" in blackpink["aliases"][0].as_py()
    assert not list(serving_file.parent.glob(".*.tmp"))  # written through a rename


def test_answers_from_the_file_are_the_command_lines(
    sample_warehouse: DbtWorkspace, serving_file: Path
) -> None:
    from_file = ServingIndex.from_file(str(serving_file))
    with duckdb.connect(str(sample_warehouse.duckdb_path), read_only=True) as connection:
        from_warehouse = ServingIndex.from_warehouse(connection)
        for typed in ["BLACKPINK", "블랙핑크", "beyonce", "sash", "Queen"]:
            assert from_file.answer(typed, 5) == from_warehouse.answer(typed, 5)


def test_skill_answers_blackpink_in_either_script(skill_url: str, serving_file: Path) -> None:
    latin, hangul = ask(skill_url, "BLACKPINK"), ask(skill_url, "블랙핑크")
    assert carousel(latin) == carousel(hangul)
    expected = ServingIndex.from_file(str(serving_file)).answer("BLACKPINK")
    names = [related.artist_name for related in expected.related]
    assert [card["title"] for card in carousel(latin)] == [
        f"{rank}. {name}" for rank, name in enumerate(names, start=1)
    ]
    # The related artists are the next questions, each sent back whole.
    assert [reply["messageText"] for reply in latin["template"]["quickReplies"]] == names
    first_card = carousel(latin)[0]
    first_track = expected.related[0].tracks[0]
    assert first_track.track_name in first_card["description"]
    links = {button["label"]: button["webLinkUrl"] for button in first_card["buttons"]}
    assert links["Spotify"] == first_track.spotify_url
    assert links["YouTube"].startswith("https://www.youtube.com/results?search_query=")
    assert "BLACKPINK" in hangul["template"]["outputs"][0]["simpleText"]["text"]


def test_block_parameter_wins_over_the_utterance(skill_url: str) -> None:
    document = ask(skill_url, "who sounds like blackpink?", artist="블랙핑크")
    assert "sound like BLACKPINK" in document["template"]["outputs"][0]["simpleText"]["text"]


def test_unknown_name_answers_did_you_mean(skill_url: str) -> None:
    document = ask(skill_url, "Blakpink")
    [output] = document["template"]["outputs"]
    assert "no artist named 'Blakpink'" in output["simpleText"]["text"]
    assert "BLACKPINK" in [reply["messageText"] for reply in document["template"]["quickReplies"]]


@pytest.mark.parametrize(
    "utterance",
    ["", "   ", "x" * 201, "가" * 5000, "'; drop table dim_artists; --", "!!!", "\u0000", "🎵"],
)
def test_any_utterance_gets_a_valid_one_line_answer(skill_url: str, utterance: str) -> None:
    document = ask(skill_url, utterance)
    text = document["template"]["outputs"][0]["simpleText"]["text"]
    assert "Traceback" not in text


@pytest.mark.parametrize(
    ("body", "status", "reason"),
    [
        (b"{not json", 400, "not JSON"),
        (b"[1, 2]", 400, "not a JSON object"),
        (b'{"userRequest": {}}', 400, "no userRequest.utterance"),
        (b'{"userRequest": {"utterance": 7}}', 400, "no userRequest.utterance"),
        (b"\xff\xfe", 400, "not JSON"),
        (json.dumps(skill_request("BLACKPINK", padding="x" * 70_000)).encode(), 413, "over 65536"),
    ],
)
def test_bad_requests_get_a_status_and_one_line(
    skill_url: str, body: bytes, status: int, reason: str
) -> None:
    response = requests.post(skill_url, data=body, timeout=10)
    assert response.status_code == status
    assert reason in response.json()["error"]
    assert "\n" not in response.json()["error"]


def test_a_large_body_without_a_length_is_refused_too(skill_url: str) -> None:
    chunks = (b"x" * 8192 for _ in range(10))  # chunked: no Content-Length
    response = requests.post(skill_url, data=chunks, timeout=10)
    assert response.status_code == 413


def test_shared_secret_is_required_when_set(serving_file: Path) -> None:
    app = create_app(ServingFileSource(str(serving_file)), SkillSettings(auth_token="s3cret-token"))
    body = skill_request("BLACKPINK")
    with running_server(app) as url:
        missing = requests.post(url + "/skill", json=body, timeout=10)
        wrong = requests.post(
            url + "/skill", json=body, headers={"X-Skill-Token": "s3cret"}, timeout=10
        )
        right = requests.post(
            url + "/skill", json=body, headers={"X-Skill-Token": "s3cret-token"}, timeout=10
        )
    for refused in (missing, wrong):
        assert refused.status_code == 401
        assert refused.json() == {"error": "missing or wrong X-Skill-Token header"}
    assert right.status_code == 200
    assert_skill_response(right.json())


def test_failures_carry_no_stack_trace(serving_file: Path) -> None:
    def broken_source() -> ServingIndex:
        raise RuntimeError("boom at /secret/path")

    with running_server(create_app(broken_source)) as url:
        response = requests.post(url + "/skill", json=skill_request("BLACKPINK"), timeout=10)
    assert response.status_code == 500
    assert response.json() == {"error": "internal error"}


def test_logs_carry_no_user_identifier(
    serving_file: Path, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(ServingFileSource(str(serving_file)))
    user_id = "7c3a1f0e-kakao-user-key"
    with caplog.at_level(logging.INFO, logger="lookup"), running_server(app) as url:
        for utterance in ["BLACKPINK", "Blakpink"]:
            requests.post(
                url + "/skill", json=skill_request(utterance, user_id=user_id), timeout=10
            )
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "skill request answered" in logged
    assert user_id not in logged
    assert "Blakpink" not in logged  # what was typed is not logged either


def test_serving_file_is_reloaded_when_it_changes(serving_file: Path, tmp_path: Path) -> None:
    path = tmp_path / "serving.parquet"
    table = pq.read_table(serving_file)
    write_serving_file(table, str(path))
    source = ServingFileSource(str(path), check_seconds=0)
    assert source().answer("BLACKPINK").artist_name == "BLACKPINK"
    without = table.filter(pc.not_equal(table["artist_name"], "BLACKPINK"))
    write_serving_file(without, str(path))
    assert source().names.match("BLACKPINK") is None
    assert source.loads == 2


def test_a_missing_serving_file_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "missing.parquet"
    assert serve_main(["--serving-file", str(missing)]) == 2
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1
    assert f"no serving file at {missing}: build the warehouse" in captured.err


def test_export_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    exit_code = export_main(["--db", str(tmp_path / "missing.duckdb"), "--to", str(tmp_path / "x")])
    captured = capsys.readouterr()
    assert exit_code == 2
    assert captured.err.count("\n") == 1 and "no warehouse at" in captured.err
    assert not (tmp_path / "x").exists()


# --- the serverless handler ---------------------------------------------------------------


@pytest.fixture
def lambda_environment(s3_environment, serving_file: Path):
    s3().put(str(serving_file), SERVING_KEY)
    s3_environment.setenv("SERVING_FILE_URI", f"s3://{SERVING_KEY}")
    s3_environment.setenv("SERVING_FILE_CHECK_SECONDS", "0")
    s3_environment.delenv("SKILL_AUTH_TOKEN", raising=False)
    skill_lambda.reset()
    yield s3_environment
    skill_lambda.reset()


def invoke(body: str, headers: dict | None = None) -> tuple[int, dict]:
    response = skill_lambda.handler(proxy_event(body, headers), None)
    return response["statusCode"], json.loads(response["body"])


def test_lambda_answers_a_skill_request_from_s3(lambda_environment) -> None:
    status, document = invoke(json.dumps(skill_request("블랙핑크")))
    assert status == 200
    assert_skill_response(document)
    assert carousel(document)
    status, document = invoke("{not json")
    assert (status, document) == (400, {"error": "the body is not JSON"})


def test_lambda_answers_an_http_api_event_too(lambda_environment) -> None:
    # API Gateway HTTP API, payload format 2.0, body base64-encoded as it may arrive.
    body = base64.b64encode(json.dumps(skill_request("beyonce")).encode()).decode()
    event = {
        "version": "2.0",
        "routeKey": "POST /skill",
        "rawPath": "/skill",
        "rawQueryString": "",
        "headers": {"content-type": "application/json"},
        "requestContext": {
            "http": {"method": "POST", "path": "/skill", "sourceIp": "203.0.113.7"},
            "requestId": "test-request",
            "stage": "$default",
        },
        "body": body,
        "isBase64Encoded": True,
    }
    response = skill_lambda.handler(event, None)
    assert response["statusCode"] == 200
    document = json.loads(response["body"])
    assert_skill_response(document)
    assert "sound like Beyoncé" in document["template"]["outputs"][0]["simpleText"]["text"]


def test_lambda_reloads_the_file_when_its_etag_changes(
    lambda_environment, serving_file: Path, tmp_path: Path
) -> None:
    status, first = invoke(json.dumps(skill_request("BLACKPINK")))
    assert status == 200 and carousel(first)
    table = pq.read_table(serving_file)
    without = table.filter(pc.not_equal(table["artist_name"], "BLACKPINK"))
    write_serving_file(without, f"s3://{SERVING_KEY}")
    status, second = invoke(json.dumps(skill_request("BLACKPINK")))
    assert status == 200
    assert "no artist named" in second["template"]["outputs"][0]["simpleText"]["text"]
    assert skill_lambda.adapter is not None  # the same warm app, a new file


def test_lambda_requires_the_secret_when_set(lambda_environment) -> None:
    lambda_environment.setenv("SKILL_AUTH_TOKEN", "s3cret-token")
    skill_lambda.reset()
    body = json.dumps(skill_request("BLACKPINK"))
    assert invoke(body)[0] == 401
    assert invoke(body, {"X-Skill-Token": "s3cret-token"})[0] == 200


def test_folding_is_stored_with_the_data(serving_file: Path) -> None:
    table = pq.read_table(serving_file)
    assert with_folded_names(table.drop_columns(["folded_name", "folded_aliases"])).equals(table)
