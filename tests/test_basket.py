"""The citation basket: collected from results and sections, reordered,
edited, emptied, kept on the server, and written out as Word (real
footnotes, checked through LibreOffice), text and Markdown with the
"Căn cứ" lines; never a document the reader may not read."""

import html
import io
import re
import shutil
import sqlite3
import subprocess
import zipfile

import docx
import pytest

from indexer.build import build_index
from search_app import create_app
from search_app.accounts import DATABASE, MIGRATIONS, Accounts

from .conftest import CORPUS

K69 = "000_8b1cbe83c3de1fbc"  # Kết luận 69-KL/TU, Ban Thường vụ Tỉnh ủy Lai Châu (Tỉnh)
B426 = "001_b7d788ee9d07cfc0"  # Báo cáo 426-BC/HU, Huyện ủy Tam Đường (Huyện)
KL003 = "003_064c99f8bc1e6bb7"  # Kết luận without a number
PASSWORD = "mat-khau-dai-1"


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    folder = tmp_path_factory.mktemp("basket") / "corpus"
    shutil.copytree(CORPUS, folder)
    (folder / f"{B426}.meta.toml").write_text('access = "restricted"\ngroups = ["bt"]\n', encoding="utf-8")
    root = folder.parent / "index"
    build_index(folder, root)
    Accounts(root).add("thanhvien", PASSWORD, ["bt"])
    return root


def _client(root, **config):
    return create_app({"INDEX_DIR": str(root), **config}).test_client()


def _token(client, path="/check"):
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True)).group(1)


def _add(client, doc_id, section_id, q=""):
    data = {"csrf_token": _token(client), "doc_id": doc_id, "section_id": section_id, "q": q, "next": "/?q=x"}
    return client.post("/basket/add", data=data)


def _items(client, query=""):
    page = client.get("/basket" + query).get_data(as_text=True)
    return [html.unescape(m) for m in re.findall(r'<p class="doc"><a href="[^"]*">(.*?)</a></p>', page)], page


def _ids(page):
    return re.findall(r'<li id="muc-(\d+)">', page)


def _sign_in(client, name="thanhvien"):
    token = _token(client, "/login")
    return client.post("/login", data={"username": name, "password": PASSWORD, "csrf_token": token})


def test_add_reorder_edit_remove_and_empty(root):
    client = _client(root)
    assert _add(client, K69, "3-2", "Ban Cán sự Đảng").headers["Location"] == "/?q=x"
    _add(client, KL003, "mo-dau")
    _add(client, K69, "bieu-tong-hop")
    notes, page = _items(client)
    assert len(notes) == 3 and "Tập trích dẫn (3)" in page
    assert notes[0].startswith("Kết luận số 69-KL/TU, ngày 09/4/2021 của Ban Thường vụ Tỉnh ủy Lai Châu") and "mục 3.2" in notes[0]
    first, second, third = _ids(page)
    token = _token(client)
    client.post("/basket/move", data={"csrf_token": token, "item": third, "direction": "up"})
    assert _ids(_items(client)[1]) == [first, third, second]
    client.post("/basket/edit", data={"csrf_token": token, "item": first, "quote": "Câu được rút gọn."})
    assert "“Câu được rút gọn.”" in html.unescape(_items(client)[1])
    client.post("/basket/remove", data={"csrf_token": token, "item": second})
    assert _ids(_items(client)[1]) == [first, third]
    # Kept on the server: another client with the same cookie sees the same.
    again = _client(root)
    again.set_cookie("tracuu_session", client.get_cookie("tracuu_session").value)
    assert _ids(_items(again)[1]) == [first, third]
    client.post("/basket/clear", data={"csrf_token": token})
    assert _items(client)[0] == []


def test_every_change_needs_the_forms_token(root):
    client = _client(root)
    _add(client, K69, "3-2")
    assert client.post("/basket/clear").status_code == 400
    assert len(_items(client)[0]) == 1


def test_an_unreadable_document_is_neither_added_nor_shown(root):
    member = _client(root)
    _sign_in(member)
    _add(member, B426, "phan-1-II-3", "dân vận")
    _add(member, K69, "3-2")
    assert len(_items(member)[0]) == 2
    # Signed out, the browser has a basket of its own: nobody's items, and no adding the restricted report.
    member.post("/logout", data={"csrf_token": _token(member, "/")})
    assert _items(member)[0] == []
    assert _add(member, B426, "phan-1-II-3").status_code == 404
    # The member's items, when the report is restricted further, are left out and said so.
    _sign_in(member)
    accounts = Accounts(root)
    accounts.update("thanhvien", groups=["khac"])
    notes, page = _items(member)
    assert len(notes) == 1 and "426-BC/HU" not in page and "1 trích dẫn không còn xem được" in page
    assert "426-BC/HU" not in member.get("/basket/export.txt").get_data(as_text=True)
    accounts.update("thanhvien", groups=["bt"])
    member.post("/basket/clear", data={"csrf_token": _token(member)})


def test_signing_in_keeps_what_was_collected(root):
    client = _client(root)
    _add(client, K69, "3-2")
    _sign_in(client)
    notes, _ = _items(client)
    assert any("mục 3.2" in n for n in notes)
    client.post("/basket/clear", data={"csrf_token": _token(client)})


def test_citation_options_and_the_public_address(root):
    client = _client(root)
    _add(client, K69, "3-2")
    notes, page = _items(client)
    assert "http://localhost/doc/" in notes[0] and "TRACUU_PUBLIC_URL" in page
    notes, _ = _items(client, "?link=0&title=1")
    assert "http" not in notes[0] and " về tiếp tục thực hiện Đề án" in notes[0]
    public = _client(root, PUBLIC_URL="https://tracuu.tinhuy.vn")
    public.set_cookie("tracuu_session", client.get_cookie("tracuu_session").value)
    notes, page = _items(public)
    assert notes[0].endswith(f"(https://tracuu.tinhuy.vn/doc/{K69}#3-2)") and "TRACUU_PUBLIC_URL" not in page


def _export(client, fmt, query=""):
    response = client.get(f"/basket/export.{fmt}{query}")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == f'attachment; filename="tap-trich-dan.{fmt}"'
    return response.get_data()


def _word_footnotes(data: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        xml = package.read("word/footnotes.xml").decode("utf-8")
    return [html.unescape(" ".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>", note)).strip())
            for note in re.findall(r'<w:footnote w:id="[1-9]\d*">(.*?)</w:footnote>', xml)]


@pytest.fixture
def filled(root):
    client = _client(root)
    _sign_in(client)
    _add(client, B426, "phan-1-II-3", "dân vận")
    _add(client, K69, "3-2", "Ban Cán sự Đảng")
    _add(client, K69, "bieu-tong-hop", "hộ sản xuất kinh doanh giỏi")
    yield client
    client.post("/basket/clear", data={"csrf_token": _token(client)})


def test_word_export_has_a_real_footnote_per_quote(filled):
    data = _export(filled, "docx")
    document = docx.Document(io.BytesIO(data))
    paragraphs = [p.text for p in document.paragraphs]
    quotes = [p for p in paragraphs if p.startswith("“")]
    assert len(quotes) == 3
    assert "Tăng tỷ lệ hộ sản xuất kinh doanh giỏi hàng năm. | % | 5" in "\n".join(quotes)  # a table row as a row
    notes = _word_footnotes(data)
    assert len(notes) == 3
    exported = [e for e in Accounts(filled.application.config["INDEX_DIR"]).audit(user="thanhvien") if e.action == "export"]
    assert exported and exported[-1].target.startswith(f"docx: {B426}#phan-1-II-3, {K69}#3-2")
    assert notes[0].startswith("Báo cáo số 426-BC/HU, ngày 21/7/2023 của Huyện ủy Tam Đường, Phần thứ nhất, mục II.3")
    assert notes[1].endswith(f"mục 3.2 (http://localhost/doc/{K69}#3-2)")
    # Căn cứ: the province's Kết luận before the district's Báo cáo, each once.
    basis = paragraphs[paragraphs.index("Căn cứ") + 1 :]
    assert [line[:30] for line in basis] == ["Căn cứ Kết luận số 69-KL/TU, n", "Căn cứ Báo cáo số 426-BC/HU, n"]


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is installed by .ci/run")
def test_libreoffice_opens_the_word_export_and_finds_every_footnote(filled, tmp_path):
    (tmp_path / "tap.docx").write_bytes(_export(filled, "docx"))
    subprocess.run(
        ["soffice", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
         "--convert-to", "html", "--outdir", str(tmp_path), str(tmp_path / "tap.docx")],
        check=True, capture_output=True, timeout=180,
    )
    page = (tmp_path / "tap.html").read_text(encoding="utf-8", errors="replace")
    # LibreOffice writes each footnote it read as an anchor and a note at the end.
    assert len(re.findall(r'<div id="sdfootnote\d+"', page)) == 3
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())
    for note in _word_footnotes(_export(filled, "docx")):
        assert " ".join(note.split()) in text


def test_text_and_markdown_exports_number_their_notes(filled):
    text = _export(filled, "txt", "?link=0").decode("utf-8")
    assert re.findall(r"” \[(\d)\]", text) == ["1", "2", "3"]
    assert "[2] Kết luận số 69-KL/TU" in text and "http" not in text and "CĂN CỨ\nCăn cứ Kết luận" in text
    markdown = _export(filled, "md").decode("utf-8")
    assert re.findall(r"\[\^(\d)\]:", markdown) == ["1", "2", "3"]
    assert "> “" in markdown and "## Căn cứ" in markdown


def test_a_document_without_number_is_cited_by_its_title_not_a_guess(root):
    client = _client(root)
    _add(client, KL003, "mo-dau")
    notes, _ = _items(client)
    assert notes[0].startswith("Thông báo kết luận của Thường trực Tỉnh ủy tại Hội nghị sơ kết 03 năm (2013 - 2015)")
    assert not re.search(r" số \d", notes[0]) and "suy ra" not in notes[0]  # its year is the title's


def test_the_basket_table_comes_by_a_migration(tmp_path):
    """A deployment made before baskets keeps its users and gains the table."""
    path = tmp_path / DATABASE
    with sqlite3.connect(path) as db:
        db.executescript(f"BEGIN; {MIGRATIONS[0]}; PRAGMA user_version = 1; COMMIT;")
        db.execute("INSERT INTO users VALUES ('cu', 'x', '', 0, 0, 0)")
    client = _client(tmp_path)
    _token(client)
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        assert db.execute("SELECT name FROM users").fetchall() == [("cu",)]
        assert db.execute("SELECT COUNT(*) FROM basket").fetchone() == (0,)
