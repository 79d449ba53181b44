"""Who may read what. A report restricted to one group (001, "Mật", group
"bt") is read by three users: nobody signed in, a signed-in outsider and a
member. For each surface a document can show through, the outsider and
nobody must not see it, and the member must (so that each test can fail)."""

import io
import re
import shutil
import time

import openpyxl
import pytest

from indexer.build import build_index
from search_app import create_app
from search_app.accounts import DATABASE, LOGIN, LOGIN_FAILED, SEARCH, VIEW, Accounts

from .conftest import CORPUS

SECRET = "001_b7d788ee9d07cfc0"  # Báo cáo 426-BC/HU; cites 69-KL/TU (000) eleven times
CITED = "000_8b1cbe83c3de1fbc"  # Kết luận 69-KL/TU: public, its number inferred from 001
ONLY_IN_SECRET = "camera"  # a word no other sample holds
PASSWORD = "mat-khau-dai-1"
USERS = ("none", "outsider", "member")


def _restrict(folder, doc_id, groups, mark=""):
    lines = ['access = "restricted"', f"groups = {groups!r}".replace("'", '"')]
    if mark:
        lines.append(f'mark = "{mark}"')
    (folder / f"{doc_id}.meta.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    folder = tmp_path_factory.mktemp("access") / "corpus"
    shutil.copytree(CORPUS, folder)
    _restrict(folder, SECRET, ["bt"], "Mật")
    root = folder.parent / "index"
    build_index(folder, root)
    accounts = Accounts(root)
    accounts.add("ngoai", PASSWORD, ["khac"])
    accounts.add("thanhvien", PASSWORD, ["bt", "vp"])
    accounts.add("quantri", PASSWORD, admin=True)
    return root


def _csrf(client, path="/login"):
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def _sign_in(client, name, password=PASSWORD, **extra):
    return client.post(
        "/login", data={"username": name, "password": password, "csrf_token": _csrf(client), **extra}
    )


def _app(root, **config):
    return create_app({"INDEX_DIR": str(root), "DEFAULT_ACCESS": "internal", **config})


@pytest.fixture(scope="module")
def clients(deployment):
    app = _app(deployment)
    made = {}
    for who, name in zip(USERS, (None, "ngoai", "thanhvien")):
        client = app.test_client()
        if name:
            assert _sign_in(client, name).status_code == 302
        made[who] = client
    return made


def _json(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    return response.get_json()


def _sees(who: str) -> bool:
    return who == "member"


@pytest.mark.parametrize("who", USERS)
def test_results_totals_and_snippets(clients, who):
    data = _json(clients[who], f"/api/search?q={ONLY_IN_SECRET}")
    assert (data["total"] > 0) == _sees(who)
    assert ({r["doc_id"] for r in data["results"]} == {SECRET}) == _sees(who)
    page = clients[who].get(f"/?q={ONLY_IN_SECRET}").get_data(as_text=True)
    assert (SECRET in page) == _sees(who)
    assert bool(re.search(f"<mark>{ONLY_IN_SECRET}</mark>", page, re.I)) == _sees(who)  # the snippet


@pytest.mark.parametrize("who", USERS)
def test_facet_counts_and_filters(deployment, clients, who):
    from indexer.store import open_current

    issuer = open_current(deployment).documents[SECRET]["issuer"]
    data = _json(clients[who], "/api/search?q=d%C3%A2n+v%E1%BA%ADn")
    assert (issuer in {f["value"] for f in data["facets"]["issuer"]}) == _sees(who)
    years = {f["value"]: f["count"] for f in data["facets"]["year"]}
    assert sum(years.values()) == data["total"]
    # The sections citing 69-KL/TU are all in the restricted report.
    cites = _json(clients[who], "/api/search?cites=69-KL/TU")
    assert (cites["total"] > 0) == _sees(who)
    listing = clients[who].get("/?cites=69-KL/TU").get_data(as_text=True)
    assert (f"/doc/{SECRET}" in listing) == _sees(who)


@pytest.mark.parametrize("who", USERS)
def test_did_you_mean(clients, who):
    data = _json(clients[who], "/api/search?q=camerra")
    assert (data["suggestion"] == ONLY_IN_SECRET) == _sees(who)
    assert data["total"] == 0


@pytest.mark.parametrize("who", USERS)
def test_document_page_and_original_are_not_found(clients, who):
    page = clients[who].get(f"/doc/{SECRET}")
    assert page.status_code == (200 if _sees(who) else 404)
    original = clients[who].get(f"/doc/{SECRET}/original")
    original.close()
    assert original.status_code == (200 if _sees(who) else 404)
    if not _sees(who):
        # The same answer as for a document that does not exist.
        missing = clients[who].get("/doc/khong_co_van_ban_nay")
        assert page.get_data(as_text=True).replace(SECRET, "X") == missing.get_data(as_text=True).replace(
            "khong_co_van_ban_nay", "X"
        )
    else:
        html = page.get_data(as_text=True)
        assert '<span class="mark"' in html and "[Mật] Báo cáo số 426-BC/HU" in html  # in every citation copied


def test_a_marked_document_carries_its_mark_into_results_and_citations(clients):
    result = _json(clients["member"], f"/api/search?q={ONLY_IN_SECRET}")["results"][0]
    assert result["document"]["mark"] == "Mật"
    assert result["citation"].startswith("[Mật] Báo cáo số 426-BC/HU")
    page = clients["member"].get(f"/?q={ONLY_IN_SECRET}").get_data(as_text=True)
    assert '<span class="mark"' in page


@pytest.mark.parametrize("who", USERS)
def test_api_documents(clients, who):
    listed = {d["doc_id"] for d in _json(clients[who], "/api/documents")["documents"]}
    assert (SECRET in listed) == _sees(who) and CITED in listed
    _json(clients[who], f"/api/documents/{SECRET}", 200 if _sees(who) else 404)
    cited = _json(clients[who], f"/api/documents/{CITED}")
    assert bool(cited["cited_by"]) == _sees(who)
    assert (SECRET in str(cited)) == _sees(who)


@pytest.mark.parametrize("who", USERS)
def test_cited_by_and_inferred_values_on_a_readable_page(clients, who):
    page = clients[who].get(f"/doc/{CITED}").get_data(as_text=True)
    assert (SECRET in page) == _sees(who)
    assert ("Văn bản dẫn chiếu đến văn bản này" in page) == _sees(who)
    assert ("426-BC/HU" in page) == _sees(who)


@pytest.mark.parametrize("who", USERS)
def test_landing_page_lists_only_readable_documents(clients, who):
    page = clients[who].get("/").get_data(as_text=True)
    assert (f"/doc/{SECRET}" in page) == _sees(who)
    assert f"/doc/{CITED}" in page


def test_a_hidden_cited_document_shows_as_its_citer_names_it(tmp_path):
    """The other way round: the cited Kết luận is restricted, the citing report is not."""
    folder = tmp_path / "corpus"
    shutil.copytree(CORPUS, folder)
    _restrict(folder, CITED, ["tu"])
    build_index(folder, tmp_path / "index")
    client = _app(tmp_path / "index").test_client()
    page = client.get(f"/doc/{SECRET}").get_data(as_text=True)
    assert "Kết luận số 69-KL/TU" in page
    assert CITED not in page and "có trong kho" not in page
    cites = _json(client, f"/api/documents/{SECRET}")["cites"]
    assert cites and all(c["doc_id"] is None and c["title"] is None for c in cites if c["number"] == "69-KL/TU")
    assert CITED not in str(_json(client, f"/api/documents/{SECRET}"))


def test_administrators_read_everything_and_see_who_read(deployment):
    app = _app(deployment)
    member, admin = app.test_client(), app.test_client()
    _sign_in(member, "thanhvien")
    member.get(f"/doc/{SECRET}")
    assert _sign_in(admin, "quantri").status_code == 302
    page = admin.get(f"/doc/{SECRET}").get_data(as_text=True)
    assert "Lượt xem gần đây" in page and "thanhvien" in page
    assert "Lượt xem gần đây" not in member.get(f"/doc/{SECRET}").get_data(as_text=True)


def test_default_access_is_a_setting(tmp_path, make_corpus):
    folder = make_corpus({"a.txt": (CORPUS / f"{CITED}.txt").read_text(encoding="utf-8")})
    build_index(folder, tmp_path / "index")
    Accounts(tmp_path / "index").add("ai", PASSWORD)
    internal = _app(tmp_path / "index").test_client()
    assert internal.get("/doc/a").status_code == 404
    assert _json(internal, "/api/search?q=d%C3%A2n+v%E1%BA%ADn")["total"] == 0
    _sign_in(internal, "ai")
    assert internal.get("/doc/a").status_code == 200
    public = _app(tmp_path / "index", DEFAULT_ACCESS="public").test_client()
    assert public.get("/doc/a").status_code == 200
    with pytest.raises(ValueError, match="TRACUU_DEFAULT_ACCESS"):
        _app(tmp_path / "index", DEFAULT_ACCESS="restricted")


@pytest.mark.parametrize(
    "sidecar",
    ['access = "secret"', 'access = "restricted"', 'access = "restricted"\ngroups = "bt"', "access = [broken"],
)
def test_an_access_setting_that_makes_no_sense_closes_the_document(tmp_path, sidecar):
    folder = tmp_path / "corpus"
    shutil.copytree(CORPUS, folder)
    (folder / f"{SECRET}.meta.toml").write_text(sidecar + "\n", encoding="utf-8")
    report = build_index(folder, tmp_path / "index")
    assert any(SECRET in str(w) and "quản trị" in str(w) for w in report.warnings), report.warnings
    accounts = Accounts(tmp_path / "index")
    accounts.add("thanhvien", PASSWORD, ["bt"])
    accounts.add("quantri", PASSWORD, admin=True)
    app = _app(tmp_path / "index")
    member, admin = app.test_client(), app.test_client()
    _sign_in(member, "thanhvien")
    _sign_in(admin, "quantri")
    assert member.get(f"/doc/{SECRET}").status_code == 404
    assert admin.get(f"/doc/{SECRET}").status_code == 200


def test_a_folder_access_file_sets_the_default_and_a_change_reindexes(tmp_path):
    folder = tmp_path / "corpus"
    shutil.copytree(CORPUS, folder)
    root = tmp_path / "index"
    build_index(folder, root)
    client = _app(root).test_client()
    assert client.get(f"/doc/{CITED}").status_code == 200
    (folder / "_access.toml").write_text('access = "internal"\n', encoding="utf-8")
    report = build_index(folder, root)
    assert not any("_access.toml" in s.name for s in report.skipped)
    client = _app(root).test_client()
    assert client.get(f"/doc/{CITED}").status_code == 404
    assert _json(client, "/api/documents")["documents"] == []


# ------------------------------------------------------------ sign-in


def test_sign_in_rejects_wrong_passwords_and_audits(deployment):
    client = _app(deployment).test_client()
    wrong = _sign_in(client, "thanhvien", "sai-mat-khau")
    assert wrong.status_code == 401 and "không đúng" in wrong.get_data(as_text=True)
    assert _sign_in(client, "thanhvien").headers["Location"] == "/"
    client.get(f"/?q={ONLY_IN_SECRET}")
    client.get(f"/doc/{SECRET}")
    entries = Accounts(deployment).audit(since=time.time() - 60)
    mine = [(e.user, e.action, e.target) for e in entries]
    assert ("thanhvien", LOGIN_FAILED, "thanhvien") in mine
    assert ("thanhvien", LOGIN, "") in mine
    assert ("thanhvien", SEARCH, f"q={ONLY_IN_SECRET}") in mine
    assert ("thanhvien", VIEW, SECRET) in mine
    assert all(e.address for e in entries)


def test_session_cookie_flags_and_a_new_session_at_sign_in(deployment):
    client = _app(deployment).test_client()
    _csrf(client)
    planted = client.get_cookie("tracuu_session").value
    response = _sign_in(client, "thanhvien")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    # Fixation: the cookie an attacker could have planted before sign-in signs no one in.
    attacker = _app(deployment).test_client()
    attacker.set_cookie("tracuu_session", planted)
    assert _json(attacker, f"/api/search?q={ONLY_IN_SECRET}")["total"] == 0
    assert _json(client, f"/api/search?q={ONLY_IN_SECRET}")["total"] > 0
    secure = _app(deployment, PUBLIC_URL="https://tracuu.example.vn").test_client()
    assert "Secure" in _sign_in(secure, "thanhvien").headers["Set-Cookie"]


def test_sign_out_ends_the_session_on_the_server(deployment):
    client = _app(deployment).test_client()
    _sign_in(client, "thanhvien")
    stolen = client.get_cookie("tracuu_session").value
    assert client.get("/logout").status_code == 405  # a link or an image cannot sign anyone out
    assert client.post("/logout").status_code == 400  # without the form's CSRF token
    assert client.post("/logout", data={"csrf_token": _csrf(client, "/")}).status_code == 302
    replay = _app(deployment).test_client()
    replay.set_cookie("tracuu_session", stolen)
    assert replay.get(f"/doc/{SECRET}").status_code == 404


def test_sign_in_needs_the_forms_csrf_token(deployment):
    client = _app(deployment).test_client()
    response = client.post("/login", data={"username": "thanhvien", "password": PASSWORD})
    assert response.status_code == 400 and "không hợp lệ" in response.get_data(as_text=True)
    assert response.headers["X-Frame-Options"] == "DENY" and "default-src 'none'" in response.headers[
        "Content-Security-Policy"
    ]


@pytest.mark.parametrize(
    "target, lands",
    [
        ("/doc/x?q=a", "/doc/x?q=a"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("/\r\nSet-Cookie: x=1", "/"),
    ],
)
def test_no_open_redirect_after_sign_in(deployment, target, lands):
    client = _app(deployment).test_client()
    response = _sign_in(client, "thanhvien", next=target)
    assert response.headers["Location"] == lands


def test_unknown_user_costs_a_password_check(deployment, monkeypatch):
    """Timing names no user: a wrong name checks a password hash as a wrong password does."""
    from search_app import accounts

    checks = []
    real = accounts.check_password_hash
    monkeypatch.setattr(accounts, "check_password_hash", lambda *a: checks.append(1) or real(*a))
    client = _app(deployment).test_client()
    _sign_in(client, "khong-co-ai", "mat-khau-bat-ky")
    _sign_in(client, "thanhvien", "mat-khau-bat-ky")
    assert len(checks) == 2


def test_failed_sign_ins_are_limited(tmp_path):
    accounts = Accounts(tmp_path)
    accounts.add("an", PASSWORD)
    client = _app(tmp_path).test_client()
    codes = [_sign_in(client, "an", "sai-mat-khau").status_code for _ in range(6)]
    assert codes == [401] * 5 + [429]
    assert _sign_in(client, "an").status_code == 429  # even the right one, for now
    assert "15 phút" in _sign_in(client, "an").get_data(as_text=True)


def test_password_is_never_logged_or_stored_in_clear(tmp_path, caplog):
    accounts = Accounts(tmp_path)
    accounts.add("an", PASSWORD)
    client = _app(tmp_path).test_client()
    _sign_in(client, "an", "mot-mat-khau-sai")
    _sign_in(client, "an")
    stored = (tmp_path / DATABASE).read_bytes()
    for secret in (PASSWORD, "mot-mat-khau-sai"):
        assert secret.encode() not in stored
        assert secret not in caplog.text
    assert oct((tmp_path / DATABASE).stat().st_mode & 0o777) == "0o600"


def test_api_takes_http_basic(deployment):
    import base64

    client = _app(deployment).test_client()

    def basic(name, password):
        token = base64.b64encode(f"{name}:{password}".encode()).decode()
        return {"Authorization": f"Basic {token}"}

    ok = client.get(f"/api/search?q={ONLY_IN_SECRET}", headers=basic("thanhvien", PASSWORD))
    assert ok.status_code == 200 and ok.get_json()["total"] > 0
    wrong = client.get(f"/api/search?q={ONLY_IN_SECRET}", headers=basic("thanhvien", "sai"))
    assert wrong.status_code == 401 and wrong.headers["WWW-Authenticate"].startswith("Basic")


def test_a_setting_requires_sign_in_everywhere(deployment):
    client = _app(deployment, REQUIRE_LOGIN=True).test_client()
    home = client.get("/?q=d%C3%A2n+v%E1%BA%ADn")
    assert home.status_code == 302 and home.headers["Location"].startswith("/login?next=")
    api = client.get("/api/documents")
    assert api.status_code == 401 and "WWW-Authenticate" in api.headers
    assert client.get("/login").status_code == 200
    style = client.get("/static/style.css")
    style.close()
    assert style.status_code == 200
    _sign_in(client, "ngoai")
    assert client.get("/?q=d%C3%A2n+v%E1%BA%ADn").status_code == 200


def test_searches_are_rate_limited_per_client(deployment):
    client = _app(deployment, SEARCH_RATE_LIMIT="3/60").test_client()
    codes = [client.get("/api/search?q=d%C3%A2n").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    page = client.get("/?q=d%C3%A2n")
    assert page.status_code == 429 and "xin chờ" in page.get_data(as_text=True)
    assert client.get("/").status_code == 200  # the landing page is no search
    # A draft's check costs a search a citation: limited alike.
    check = client.post("/api/check", json={"text": "Kết luận số 69-KL/TU"})
    assert check.status_code == 429 and "Retry-After" in check.headers


def test_warm_up_replays_searches_as_nobody(deployment, monkeypatch):
    from search_app import search

    seen = []
    real = search.search_page
    monkeypatch.setattr(search, "search_page", lambda *a, **k: seen.append(k.get("viewer")) or real(*a, **k))
    from indexer.store import open_current

    # As the server warms a rebuilt index: on the searches staff made last.
    app = _app(deployment)
    app.extensions["tracuu_recent"].add(ONLY_IN_SECRET, search.Filters())
    app.extensions["tracuu_index"]._prepare(open_current(deployment))
    assert seen and all(v is not None and not v.name and not v.admin for v in seen)
    # The very reader an anonymous request is: its mask is the one made ready.
    with app.test_request_context("/"):
        from search_app.auth import viewer

        assert {v.key for v in seen} == {viewer().key}


def test_users_command(tmp_path, capsys, monkeypatch):
    import io

    from search_app.cli import main

    root = str(tmp_path / "new-index")  # before any index exists
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["users", "add", "an", "--groups", "bt,vp", "--index-dir", root]) == 0
    assert main(["users", "list", "--index-dir", root]) == 0
    assert "an\tbt,vp" in capsys.readouterr().out
    monkeypatch.setattr("sys.stdin", io.StringIO("ngan\n"))
    assert main(["users", "passwd", "an", "--index-dir", root]) == 1
    assert "8 ký tự" in capsys.readouterr().err
    assert main(["users", "remove", "an", "--index-dir", root]) == 0
    assert main(["users", "remove", "an", "--index-dir", root]) == 1
    assert main(["audit", "--since", "1d", "--index-dir", root]) == 0


@pytest.mark.parametrize("who", USERS)
@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_exported_result_lists_hold_only_readable_documents(clients, who, kind):
    for query in (f"q={ONLY_IN_SECRET}", "view=documents", "q=d%C3%A2n+v%E1%BA%ADn"):
        response = clients[who].get(f"/export.{kind}?{query}")
        assert response.status_code == 200
        if kind == "csv":
            text = response.get_data().decode("utf-8-sig")
        else:
            sheet = openpyxl.load_workbook(io.BytesIO(response.get_data())).active
            text = "\n".join(" ".join(str(c) for c in row if c is not None) for row in sheet.iter_rows(values_only=True))
        assert (f"/doc/{SECRET}" in text) == _sees(who), query
        assert ("426-BC/HU" in text) == _sees(who), query


@pytest.mark.parametrize("who", USERS)
def test_documents_view_landing_and_new_filters_show_only_readable_documents(deployment, clients, who):
    from indexer.store import open_current

    meta = open_current(deployment).documents[SECRET]
    table = clients[who].get("/?view=documents").get_data(as_text=True)
    assert (f"/doc/{SECRET}" in table) == _sees(who)
    landing = clients[who].get("/").get_data(as_text=True)
    assert f"<strong>{5 if _sees(who) else 4}</strong> văn bản" in landing
    data = _json(clients[who], "/api/search?q=d%C3%A2n+v%E1%BA%ADn")
    assert (meta["signer"] in {f["value"] for f in data["facets"]["signer"]}) == _sees(who)
    for query in (f"number={meta['number']}", "title=" + "+".join(meta["title"].split()[:6]), f"signer={meta['signer']}"):
        assert (_json(clients[who], f"/api/search?{query}")["total"] > 0) == _sees(who), query
