"""hosim serve, through the framework's client: the API answers what the CLI prints, refuses what the CLI
refuses with the same message (422), runs jobs in the background with progress, downloads and cancel,
and serves no file but a finished job's own."""

import json
import time

import pytest
from fastapi.testclient import TestClient

from hosim.cli import main
from hosim.web.app import create_app

LOCAL = "http://127.0.0.1:8000"  # the server answers only the names it is served as
RISK_CASES = [
    ["--setting", "tha", "--factor", "male", "--factor", "prior-ho"],
    ["--setting", "tha", "--factor", "ankylosing-spondylitis", "--prophylaxis", "nsaid"],
    ["--setting", "burns", "--tbsa", "40"],
    ["--setting", "hip-fracture-arthroplasty", "--delay-days", "3"],
    ["--setting", "sci", "--factor", "complete-injury", "--seed", "5"],
]
BAD_RISK = [
    ["--setting", "nope"],
    ["--setting", "tha", "--factor", "wings"],
    ["--setting", "burns"],
    ["--setting", "burns", "--tbsa", "140"],
    ["--setting", "tha", "--prophylaxis", "prayer"],
    ["--setting", "tha", "--seed", "-1"],
    ["--setting", "elbow-fracture", "--delay-days", "3"],
]


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    app = create_app(tmp_path_factory.mktemp("jobs"), max_jobs=3)
    with TestClient(app, base_url=LOCAL) as c:
        yield c


def as_query(argv: list[str]) -> dict:
    """`hosim risk` options as the API's query parameters (factor repeated)."""
    names = {"--setting": "setting", "--factor": "factor", "--prophylaxis": "prophylaxis", "--tbsa": "tbsa",
             "--delay-days": "delay_days", "--seed": "seed"}
    query: dict = {}
    for flag, value in zip(argv[::2], argv[1::2]):
        query.setdefault(names[flag], []).append(value)
    return query


def cli(capsys, argv: list[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def wait(client, job_id: str, timeout_s: float = 120.0) -> dict:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        job = client.get(f"/api/jobs/{job_id}").json()
        if job["status"] not in ("queued", "running"):
            return job
        time.sleep(0.3)
    raise AssertionError(f"job {job_id} still {job['status']} after {timeout_s} s")


@pytest.mark.parametrize("argv", RISK_CASES, ids=lambda a: " ".join(a[1::2]))
def test_risk_answers_exactly_what_the_cli_prints(client, capsys, argv):
    code, out, _ = cli(capsys, ["risk", *argv, "--json"])
    assert code == 0
    answer = client.get("/api/risk", params=as_query(argv))
    assert answer.status_code == 200
    assert answer.json() == json.loads(out)


@pytest.mark.parametrize("argv", BAD_RISK, ids=lambda a: " ".join(a[1::2]))
def test_a_bad_risk_value_is_a_422_with_the_cli_message(client, capsys, argv):
    code, _, err = cli(capsys, ["risk", *argv, "--json"])
    assert code == 2
    answer = client.get("/api/risk", params=as_query(argv))
    assert answer.status_code == 422
    assert answer.json() == {"detail": err.strip().removeprefix("hosim: error: ")}


def test_settings_listing_is_the_cli_listing(client, capsys):
    _, out, _ = cli(capsys, ["risk", "--list", "--json"])
    assert client.get("/api/risk/settings").json() == json.loads(out)


def test_report_and_fhir_downloads_match_the_cli(client, capsys, tmp_path):
    argv = ["--setting", "tha", "--factor", "male"]
    cli(capsys, ["risk", *argv, "--report", str(tmp_path / "r.html"), "--fhir-out", str(tmp_path / "f.json")])
    report = client.get("/api/risk/report", params=as_query(argv))
    assert report.status_code == 200 and "attachment" in report.headers["content-disposition"]
    assert report.text == (tmp_path / "r.html").read_text(encoding="utf-8")
    fhir = client.get("/api/risk/fhir", params=as_query(argv))
    mine, theirs = fhir.json(), json.loads((tmp_path / "f.json").read_text(encoding="utf-8"))
    assert mine["resourceType"] == "RiskAssessment" and mine["prediction"] == theirs["prediction"]


def test_mechanistic_estimate_sits_beside_the_evidence(client):
    answer = client.get("/api/risk", params={"setting": "tha", "factor": "male", "mechanistic": "true"}).json()
    assert answer["mechanistic"]["n"] == 1000
    assert 0.0 <= answer["mechanistic"]["any_ho"]["probability"] <= 1.0


def test_catalogue_lists_what_a_run_accepts(client):
    scenarios = client.get("/api/scenarios").json()
    assert scenarios["tha"]["dims"] == [0, 2] and "male" in scenarios["tha"]["factors"]
    assert scenarios["mouse-bmp2"]["dims"] == [0, 1, 2, 3]
    assert "nsaid" in client.get("/api/interventions").json()
    assert "tha" in client.get("/api/cohort-settings").json()


@pytest.mark.slow
def test_a_run_goes_to_the_background_and_its_files_download(client):
    answer = client.post("/api/runs", json={"scenario": "tha", "dims": 0, "factors": ["male"],
                                            "interventions": ["nsaid:end=7"], "options": {"approach": "lateral"}})
    assert answer.status_code == 202 and answer.headers["location"] == f"/api/jobs/{answer.json()['id']}"
    job = wait(client, answer.json()["id"])
    assert job["status"] == "done", job["message"]
    assert job["progress"]["done"] == job["progress"]["total"] > 0
    assert {"summary.json", "result.nc", "report.html", "figures/course.png"} <= set(job["files"])
    summary = job["summary"]
    assert summary["scenario"] == "tha" and summary["factors"] and summary["interventions"][0]["name"] == "nsaid"
    assert summary["options"]["approach"] == "lateral"
    figure = client.get(f"/api/jobs/{job['id']}/files/figures/course.png")
    assert figure.status_code == 200 and figure.content.startswith(b"\x89PNG")
    page = client.get(f"/jobs/{job['id']}")
    assert page.status_code == 200 and "Stages a patient would notice" in page.text


@pytest.mark.slow
def test_a_cohort_and_a_trial_run_as_jobs(client, tmp_path):
    cohort = wait(client, client.post("/api/cohorts", json={"setting": "tha", "n": 60, "seed": 1}).json()["id"])
    assert cohort["status"] == "done", cohort["message"]
    assert set(cohort["summary"]) >= {"setting", "n", "any_ho", "severe_ho", "brooker", "onset_days"}
    assert "figures/incidence.png" in cohort["files"] and "cohort.zarr.zip" in cohort["files"]
    store = client.get(f"/api/jobs/{cohort['id']}/files/cohort.zarr.zip")
    assert store.status_code == 200 and "attachment" in store.headers["content-disposition"]
    zipped = tmp_path / "cohort.zarr.zip"
    zipped.write_bytes(store.content)
    import xarray as xr
    import zarr

    with xr.open_zarr(zarr.storage.ZipStore(zipped, mode="r")) as data:  # the store as `hosim cohort` writes it
        assert data.sizes["patient"] == 60
    trial = wait(client, client.post("/api/trials", json={"setting": "tha", "n": 60,
                                                          "arms": ["control=", "indo=nsaid:end=7"]}).json()["id"])
    assert trial["status"] == "done", trial["message"]
    assert set(trial["summary"]["arms"]) == {"control", "indo"} and "indo" in trial["summary"]["relative_risk"]
    assert "relative risk" in client.get(f"/jobs/{trial['id']}").text


@pytest.mark.slow
def test_a_running_job_can_be_cancelled(client):
    job = client.post("/api/runs", json={"scenario": "tha", "dims": 2}).json()
    deadline = time.monotonic() + 60
    while client.get(f"/api/jobs/{job['id']}").json()["progress"]["done"] == 0 and time.monotonic() < deadline:
        time.sleep(0.2)
    cancelled = client.delete(f"/api/jobs/{job['id']}").json()
    assert cancelled["status"] == "cancelled" and cancelled["files"] == []
    assert client.get(f"/api/jobs/{job['id']}/files/summary.json").status_code == 404


@pytest.mark.parametrize("body, words", [
    ({"scenario": "nope"}, ["unknown scenario", "mouse-bmp2"]),
    ({"scenario": "tha", "dims": 3}, ["0 or 2 dimensions"]),
    ({"scenario": "tha", "days": 400}, ["days"]),
    ({"scenario": "mouse-bmp2", "dims": 3, "resolution_um": 5}, ["no finer than", "37.5"]),
    ({"scenario": "tha", "dims": 0, "factors": ["wings"]}, ["wings"]),
    ({"scenario": "tha", "dims": 0, "interventions": ["nsaid:end=-1"]}, ["nsaid"]),
    ({"scenario": "tha", "dims": 0, "options": {"approach": "sideways"}}, ["approach", "posterior"]),
    ({"scenario": "tha", "dims": 0, "options": {"dims": 2}}, ["--dims"]),
    ({"scenario": "tha", "dims": "two"}, ["dims"]),
    ({"scenario": "tha", "path": "/etc/passwd"}, ["path", "Extra inputs"]),
    ({"scenario": "tha", "factors": ["male"] * 50}, ["factors"]),
])
def test_a_bad_run_is_refused_before_it_is_queued(client, body, words):
    before = len(client.get("/api/jobs").json())
    answer = client.post("/api/runs", json=body)
    assert answer.status_code == 422
    assert all(word in answer.json()["detail"] for word in words), answer.json()
    assert len(client.get("/api/jobs").json()) == before


@pytest.mark.parametrize("url, body, words", [
    ("/api/cohorts", {"setting": "tha", "n": 6000}, ["5000"]),
    ("/api/cohorts", {"setting": "tha", "n": 0}, ["n"]),
    ("/api/cohorts", {"setting": "moon", "n": 10}, ["moon"]),
    ("/api/trials", {"setting": "tha", "arms": []}, ["arms"]),
    ("/api/trials", {"setting": "tha", "arms": ["a=", "a=nsaid"]}, ["own name"]),
    ("/api/trials", {"setting": "tha", "arms": ["Bad Name="]}, ["arm name"]),
    ("/api/trials", {"setting": "tha", "arms": ["x=teleport"]}, ["teleport"]),
])
def test_a_bad_cohort_or_trial_is_refused(client, url, body, words):
    answer = client.post(url, json=body)
    assert answer.status_code == 422 and all(w in answer.json()["detail"] for w in words), answer.json()


@pytest.fixture(scope="module")
def finished(client):
    """A short finished run whose folder the path tests try to leave."""
    job = wait(client, client.post("/api/runs", json={"scenario": "mouse-bmp2", "dims": 0, "days": 2}).json()["id"])
    assert job["status"] == "done", job["message"]
    return job


@pytest.mark.slow
@pytest.mark.parametrize("name", ["../../etc/passwd", "..%2F..%2Fetc%2Fpasswd", "/etc/passwd", "summary.json/..",
                                  ".error", "checkpoint.npz", "figures/%2e%2e/summary.json", "result.nc/../../x"])
def test_no_path_outside_a_job_can_be_read(client, finished, name):
    job = finished
    assert client.get(f"/api/jobs/{job['id']}/files/summary.json").status_code == 200
    answer = client.get(f"/api/jobs/{job['id']}/files/{name}")
    assert answer.status_code == 404 and "root:" not in answer.text


def test_unknown_jobs_and_pages_are_404(client):
    assert client.get("/api/jobs/0000").status_code == 404
    assert client.delete("/api/jobs/..").status_code in (404, 405)
    assert client.get("/jobs/nope").status_code == 404 and "no job" in client.get("/jobs/nope").text
    assert client.get("/nowhere").status_code == 404


@pytest.mark.slow
def test_the_queue_is_bounded(tmp_path):
    app = create_app(tmp_path, max_jobs=1)
    with TestClient(app, base_url=LOCAL) as c:
        first = c.post("/api/runs", json={"scenario": "tha", "dims": 2})
        second = c.post("/api/runs", json={"scenario": "tha", "dims": 0})
        assert first.status_code == 202 and second.status_code == 429
        assert "at most 1" in second.json()["detail"]
        c.delete(f"/api/jobs/{first.json()['id']}")


def test_bodies_hosts_and_headers_are_guarded(client):
    big = client.post("/api/runs", content=b"{" + b" " * (11 * 2**20) + b"}",
                      headers={"content-type": "application/json"})
    assert big.status_code == 413 and "MB" in big.json()["detail"]
    streamed = client.post("/api/runs", content=(b" " * 2**20 for _ in range(12)),
                           headers={"content-type": "application/json"})  # no length given: counted as it comes
    assert streamed.status_code == 413
    page = client.post("/risk/bundle", files={"bundle": ("big.json", b" " * (11 * 2**20), "application/json")})
    assert page.status_code == 413 and 'role="alert"' in page.text and "10 MB" in page.text
    just_over = client.post("/risk/bundle", files={"bundle": ("b.json", b" " * (10 * 2**20 + 10), "application/json")})
    assert just_over.status_code == 422 and "at most 10 MB" in just_over.text
    assert client.get("/api/risk/settings", headers={"host": "evil.example"}).status_code == 400
    answer = client.get("/risk")
    assert "default-src 'self'" in answer.headers["content-security-policy"]
    assert "unsafe-inline" not in answer.headers["content-security-policy"]  # only the API page runs inline script
    assert "unsafe-inline" in client.get("/docs").headers["content-security-policy"]
    assert answer.headers["x-content-type-options"] == "nosniff"


def test_a_fhir_bundle_upload_gives_the_cli_estimate(client, capsys, tmp_path):
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": [
        {"fullUrl": "urn:uuid:p", "resource": {"resourceType": "Patient", "gender": "male"}},
        {"resource": {"resourceType": "Procedure", "status": "completed", "subject": {"reference": "urn:uuid:p"},
                      "code": {"coding": [{"system": "http://snomed.info/sct", "code": "52734007"}]}}}]}
    path = tmp_path / "b.json"
    path.write_text(json.dumps(bundle))
    code, out, _ = cli(capsys, ["risk", "--fhir-in", str(path), "--json"])
    assert code == 0
    page = client.post("/risk/bundle", files={"bundle": ("b.json", path.read_bytes(), "application/json")})
    expected = json.loads(out)
    assert page.status_code == 200 and "From b.json: setting tha; factors male" in page.text
    assert f"About <b id=\"per-hundred\">{round(expected['any_ho']['probability'] * 100)} in 100" in page.text


@pytest.mark.parametrize("content", [b"", b"not json", b'{"resourceType": "Patient"}', b"\xff\xfe",
                                     b'{"resourceType": "Bundle", "entry": 5}'])
def test_a_malformed_upload_is_one_message(client, content):
    page = client.post("/risk/bundle", files={"bundle": ("x.json", content, "application/json")})
    assert page.status_code == 422 and 'role="alert"' in page.text and "Traceback" not in page.text


@pytest.mark.parametrize("url", ["/", "/risk", "/risk?setting=burns", "/scenario", "/scenario?scenario=mouse-bmp2",
                                 "/cohort", "/cohort?setting=sci", "/trial", "/jobs", "/docs", "/openapi.json"])
def test_every_page_renders(client, url):
    answer = client.get(url)
    assert answer.status_code == 200


@pytest.mark.parametrize("url, data, words", [
    ("/scenario", {"scenario": "tha", "dims": "2", "days": "-4"}, ["days"]),
    ("/scenario", {"scenario": "tha", "dims": "x"}, ["dims"]),
    ("/scenario", {"scenario": "tha", "option_approach": "sideways"}, ["approach"]),
    ("/scenario", {"scenario": "nope"}, ["unknown scenario"]),
    ("/cohort", {"setting": "tha", "n": "99999"}, ["5000"]),
    ("/trial", {"setting": "tha", "arm0_name": "x", "arm0_spec": "teleport"}, ["teleport"]),
    ("/trial", {"setting": "tha"}, ["at least one arm"]),
])
def test_a_refused_form_comes_back_with_the_message(client, url, data, words):
    page = client.post(url, data=data)
    assert page.status_code == 422 and all(w in page.text for w in words)


@pytest.mark.parametrize("url", ["/risk?setting=%00", "/risk?setting=tha&show=1&tbsa=x&factor=%3Cscript%3E",
                                 "/scenario?scenario=%3Cscript%3Ealert(1)%3C/script%3E", "/cohort?setting=../../",
                                 "/api/risk?setting=tha&factor=" + "x" * 5000, "/api/risk?setting=tha&seed=1e999",
                                 "/api/risk?setting=tha&tbsa=nan", "/api/risk?setting=burns&tbsa=inf"])
def test_hostile_queries_are_refused_without_echoing_markup(client, url):
    answer = client.get(url)
    assert answer.status_code in (404, 422), answer.text[:300]
    assert "<script>" not in answer.text and "Traceback" not in answer.text


@pytest.mark.parametrize("argv, words", [
    (["serve", "--port", "80"], ["--port", "1024"]),
    (["serve", "--workers", "0"], ["--workers"]),
    (["serve", "--port", "http"], ["--port"]),
])
def test_serve_refuses_bad_options(capsys, argv, words):
    code, out, err = cli(capsys, argv)
    assert code == 2 and not out and all(w in err for w in words) and "Traceback" not in err


def test_hosts_are_those_the_server_was_started_for(tmp_path):
    with TestClient(create_app(tmp_path / "a", host="10.1.2.3"), base_url=LOCAL) as c:
        assert c.get("/api/risk/settings", headers={"host": "10.1.2.3:8000"}).status_code == 200
        assert c.get("/api/risk/settings", headers={"host": "attacker.example"}).status_code == 400
    with TestClient(create_app(tmp_path / "b", host="0.0.0.0"), base_url=LOCAL) as c:
        assert c.get("/api/risk/settings", headers={"host": "my-lab-pc.local"}).status_code == 200


@pytest.mark.parametrize("headers", [{"origin": "https://evil.example"}, {"sec-fetch-site": "cross-site"},
                                     {"origin": "null"}, {"sec-fetch-site": "same-site", "origin": LOCAL}])
def test_a_page_of_another_site_cannot_start_or_cancel_work(client, headers):
    before = len(client.get("/api/jobs").json())
    page = client.post("/scenario", data={"scenario": "tha", "dims": "0"}, headers=headers)
    assert page.status_code == 403 and "another site" in page.text
    api = client.post("/api/runs", json={"scenario": "tha", "dims": 0}, headers=headers)
    assert api.status_code == 403 and "another site" in api.json()["detail"]
    assert client.delete("/api/jobs/x", headers=headers).status_code == 403
    assert len(client.get("/api/jobs").json()) == before


def test_the_servers_own_pages_may_post(client):
    page = client.post("/scenario", data={"scenario": "tha", "dims": "0", "days": "-1"},
                       headers={"origin": LOCAL, "sec-fetch-site": "same-origin"})
    assert page.status_code == 422 and "days" in page.text  # refused for its value, not for where it came from


@pytest.mark.parametrize("url, field", [("/scenario", "days"), ("/cohort", "n"), ("/trial", "arm0_name")])
def test_a_file_where_text_belongs_is_one_message(client, url, field):
    page = client.post(url, data={"scenario": "tha", "setting": "tha"}, files={field: ("x.txt", b"1", "text/plain")})
    assert page.status_code == 422 and "must be text, not a file" in page.text


def test_long_values_are_not_echoed_in_full(client):
    answer = client.post("/api/runs", json={"scenario": "tha", "dims": 0, "options": {"x" * 100_000: 1}})
    assert answer.status_code == 422 and len(answer.text) < 2000
    crowded = client.post("/api/trials", json={"setting": "tha", "arms": ["a=" + "+".join(["nsaid"] * 11)]})
    assert crowded.status_code == 422 and "at most 10" in crowded.json()["detail"]
