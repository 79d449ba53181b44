"""The citation checker on drafts with planted errors: exactly those are
flagged, through the CLI, the API and the page; a number the corpus does
not hold is unknown, and so is one the reader may not read."""

import io
import json
import re
import shutil

import pytest

from indexer.build import build_index
from search_app import create_app
from search_app.accounts import Accounts
from search_app.cli import main

from .conftest import CORPUS
from .word_samples import write_docx

K69 = "000_8b1cbe83c3de1fbc"
# (line, status, the fields flagged)
DRAFT = [
    ("Căn cứ Kết luận số 69-KL/TU, ngày 09/4/2021 của Ban Thường vụ Tỉnh ủy về tiếp tục thực hiện Đề án tăng "
     "cường công tác dân vận trong vùng đồng bào dân tộc thiểu số ở các huyện biên giới;", "ok", set()),
    ("Căn cứ Kết luận số 69-KL/TU, ngày 09/5/2021 của Ban Thường vụ Tỉnh ủy Lai Châu;", "mismatch", {"date"}),
    ("Căn cứ Báo cáo số 426-BC/HU, ngày 21/7/2023 của Ban Bí thư;", "mismatch", {"issuer"}),
    ("Căn cứ Nghị quyết số 68-KH/ĐU, ngày 19/4/2026 của Đảng ủy;", "mismatch", {"doc_type"}),
    ("Căn cứ Kết luận số 69-KL/TU về xây dựng nông thôn mới kiểu mẫu giai đoạn 2021-2025;", "mismatch", {"title"}),
    ("Căn cứ Nghị quyết số 12-NQ/TW, ngày 16/01/2012 của Ban Chấp hành Trung ương;", "unknown", set()),
    ("Thực hiện Báo cáo số 426-BC/HU của Huyện ủy Tam Đường,", "ok", set()),
]
TEXT = "ỦY BAN NHÂN DÂN TỈNH\nSố 15/KH-UBND\n\nKẾ HOẠCH\n\n" + "\n".join(line for line, _, _ in DRAFT) + "\n"


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    folder = tmp_path_factory.mktemp("check") / "corpus"
    shutil.copytree(CORPUS, folder)
    (folder / "001_b7d788ee9d07cfc0.meta.toml").write_text('access = "restricted"\ngroups = ["bt"]\n')
    root = folder.parent / "index"
    build_index(folder, root)
    Accounts(root).add("thanhvien", "mat-khau-dai-1", ["bt"])
    return root


def _expected(readable_426=True):
    out = []
    for line, status, fields in DRAFT:
        if "426-BC/HU" in line and not readable_426:
            status, fields = "unknown", set()
        out.append((status, fields))
    return out


def _got(citations):
    return [(c["status"], set(c["differences"])) for c in citations]


def test_the_cli_flags_exactly_the_planted_errors(root, tmp_path, capsys):
    draft = tmp_path / "du-thao.txt"
    draft.write_text(TEXT, encoding="utf-8")
    assert main(["check", str(draft), "--json", "--index-dir", str(root)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert _got(data["citations"]) == _expected()  # the CLI reads as the index's owner
    first, second = data["citations"][:2]
    assert first["doc_id"] == K69 and first["citation"].startswith("Kết luận số 69-KL/TU")
    assert second["differences"] == {"date": {"draft": "2021-05-09", "corpus": "2021-04-09"}}
    assert data["summary"] == {"ok": 2, "mismatch": 4, "unknown": 1}
    assert main(["check", str(draft), "--index-dir", str(root)]) == 0
    out = capsys.readouterr().out
    assert "ngày: dự thảo “09/5/2021”, trong kho “09/4/2021”" in out and "12-NQ/TW: không có trong kho" in out


def test_a_word_draft_reads_as_its_text(root, tmp_path, capsys):
    write_docx(TEXT, tmp_path / "du-thao.docx")
    assert main(["check", str(tmp_path / "du-thao.docx"), "--json", "--index-dir", str(root)]) == 0
    assert _got(json.loads(capsys.readouterr().out)["citations"]) == _expected()


def test_a_draft_that_cannot_be_read_is_said(root, tmp_path, capsys):
    (tmp_path / "x.xlsx").write_bytes(b"PK")
    assert main(["check", str(tmp_path / "x.xlsx"), "--index-dir", str(root)]) == 1
    assert "không đọc được" in capsys.readouterr().err


def test_the_api_as_json_text_and_as_a_file(root, tmp_path):
    client = create_app({"INDEX_DIR": str(root)}).test_client()
    data = client.post("/api/check", json={"text": TEXT}).get_json()
    assert _got(data["citations"]) == _expected(readable_426=False)  # nobody signed in may not read 426
    write_docx(TEXT, tmp_path / "du-thao.docx")
    upload = {"file": (io.BytesIO((tmp_path / "du-thao.docx").read_bytes()), "du-thao.docx")}
    import base64

    basic = {"Authorization": "Basic " + base64.b64encode(b"thanhvien:mat-khau-dai-1").decode()}
    data = client.post("/api/check", data=upload, content_type="multipart/form-data", headers=basic).get_json()
    assert _got(data["citations"]) == _expected()
    empty = client.post("/api/check", json={"text": " "})
    assert empty.status_code == 400 and "error" in empty.get_json()


def test_the_page(root):
    client = create_app({"INDEX_DIR": str(root)}).test_client()
    form = client.get("/check").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    page = client.post("/check", data={"text": TEXT, "csrf_token": token}).get_data(as_text=True)
    assert "1 khớp · 3 sai khác · 3 không có trong kho" in page  # 426 is not the reader's to see
    assert "<td>09/5/2021</td>" in page and "<td>09/4/2021</td>" in page
    assert f'href="/doc/{K69}"' in page and "001_b7d788ee9d07cfc0" not in page
    assert client.post("/check", data={"text": TEXT}).status_code == 400  # no form token
    escaped = client.post("/check", data={"text": "<script>x</script> Kết luận số 69-KL/TU", "csrf_token": token})
    assert "<script>x" not in escaped.get_data(as_text=True)


def test_a_draft_past_the_limit_is_refused_with_a_message(root):
    from search_app.checker import MAX_DRAFT_CHARS

    client = create_app({"INDEX_DIR": str(root)}).test_client()
    huge = "Kết luận số 69-KL/TU. " * (MAX_DRAFT_CHARS // 20)
    response = client.post("/api/check", json={"text": huge})
    assert response.status_code == 413 and "quá dài" in response.get_json()["error"]


def test_a_scanned_or_long_pdf_draft_is_refused_without_reading_it(root, tmp_path, monkeypatch):
    # OCR takes seconds a page: a web request must not run it for anyone who uploads a scan.
    import indexer.ocr
    from search_app import checker

    from .pdf_samples import write_pdf
    from .scan_samples import write_scan

    def no_ocr(*args, **kwargs):
        raise AssertionError("OCR ran for a draft")

    monkeypatch.setattr(indexer.ocr, "ocr_pdf", no_ocr)
    write_pdf((CORPUS / f"{K69}.txt").read_text(encoding="utf-8"), tmp_path / "du-thao.pdf")
    write_scan(tmp_path / "du-thao.pdf", tmp_path / "quet.pdf")
    client = create_app({"INDEX_DIR": str(root)}).test_client()

    def post(name):
        upload = {"file": (io.BytesIO((tmp_path / name).read_bytes()), name)}
        # The test client closes its spooled upload (over 500 KB) with the
        # response only when it follows redirects.
        sent = client.post("/api/check", data=upload, content_type="multipart/form-data", follow_redirects=True)
        with sent as response:
            return response.status_code, response.get_json()

    status, answer = post("quet.pdf")
    assert status == 400 and "bản quét" in answer["error"]
    assert post("du-thao.pdf")[0] == 200  # the same file with its text layer is read
    monkeypatch.setattr(checker, "MAX_DRAFT_PAGES", 2)
    status, answer = post("du-thao.pdf")
    assert status == 400 and "quá 2 trang" in answer["error"]


def test_a_number_that_comes_back_each_year_is_checked_against_the_right_year(make_corpus, tmp_path):
    # State numbers restart every year: "Quyết định số 12/QĐ-UBND" of 2022
    # and of 2023 are two documents. A draft citing the 2023 one is right.
    body = "ỦY BAN NHÂN DÂN TỈNH LAI CHÂU\nSố: 12/QĐ-UBND\n\nQUYẾT ĐỊNH\nVề việc {subject}\n\nĐiều 1. Nội dung {subject}.\n"
    folder = make_corpus({
        "qd2022.txt": body.format(subject="thành lập tổ công tác dân vận"),
        "qd2022.meta.toml": 'date = "2022-03-01"\naccess = "public"\n',
        "qd2023.txt": body.format(subject="giao chỉ tiêu giảm nghèo"),
        "qd2023.meta.toml": 'date = "2023-05-10"\naccess = "public"\n',
    })
    build_index(folder, tmp_path / "index")
    from indexer.store import open_current
    from search_app.checker import check_text

    index = open_current(tmp_path / "index")
    assert len({d["number_key"] for d in index.catalog.documents}) == 1
    for date, subject, doc_id in (("10/5/2023", "giao chỉ tiêu giảm nghèo", "qd2023"),
                                  ("01/3/2022", "thành lập tổ công tác dân vận", "qd2022")):
        draft = f"Căn cứ Quyết định số 12/QĐ-UBND, ngày {date} của Ủy ban nhân dân tỉnh Lai Châu về việc {subject};"
        (checked,) = check_text(index, draft)
        assert (checked.status, checked.doc_id) == ("ok", doc_id)
    (wrong,) = check_text(index, "Căn cứ Quyết định số 12/QĐ-UBND, ngày 10/5/2024 của Ủy ban nhân dân tỉnh Lai Châu;")
    assert wrong.status == "mismatch" and set(wrong.differences) == {"date"}


def test_an_unreadable_upload_is_named_as_uploaded(root):
    client = create_app({"INDEX_DIR": str(root)}).test_client()
    upload = {"file": (io.BytesIO(b""), "Dự thảo tờ trình.docx")}
    response = client.post("/api/check", data=upload, content_type="multipart/form-data")
    error = response.get_json()["error"]
    assert response.status_code == 400 and "Dự thảo tờ trình.docx" in error and "/tmp" not in error
