"""`tracuu`: build the index and search it from the command line."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import threading
from dataclasses import asdict
from pathlib import Path

from analyzers.datafiles import DataFileError

from search_app import PROJECT_DIR, default_index_dir
from search_app.labels import DOC_FIELDS, source_label
from search_app.render import short

DEFAULT_CORPUS = PROJECT_DIR / "corpus"
DEFAULT_QUERY_SET = PROJECT_DIR / "tests" / "data" / "queries.toml"

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2
EXIT_INTERRUPTED = 130  # as shells report a command stopped by Ctrl+C


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"phải là số nguyên dương: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"phải là số nguyên dương: {text!r}")
    return value


def _port(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"cổng không hợp lệ: {text!r}")
    return int(text)


def _filter_options(parser: argparse.ArgumentParser) -> None:
    """One option per facet (repeat it for several values: any of them),
    and the ranges of years and days."""
    from search_app.facets import DATE_FORMAT_HELP, FACETS

    for facet in FACETS:
        parser.add_argument(
            "--" + facet.name.replace("_", "-"), action="append", default=[], type=_year if facet.name == "year" else str,
            help=f"{facet.label.lower()}{': ' + facet.help if facet.help else ''} (lặp lại để lấy một trong nhiều giá trị)",
        )
    parser.add_argument("--year-from", type=_year)
    parser.add_argument("--year-to", type=_year)
    parser.add_argument("--date-from", default="", metavar="NGÀY", help=f"ban hành từ ngày ({DATE_FORMAT_HELP})")
    parser.add_argument("--date-to", default="", metavar="NGÀY", help="ban hành đến ngày")


def _year(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"năm không hợp lệ: {text!r}") from None
    if not 1900 <= value <= 2200:
        raise argparse.ArgumentTypeError(f"năm không hợp lệ: {text!r}")
    return value


class _Parser(argparse.ArgumentParser):
    """Usage mistakes get one line, like every other error (exit status 2)."""

    _PHRASES = (
        ("the following arguments are required", "thiếu tham số"),
        ("unrecognized arguments", "tham số không hiểu được"),
        ("expected one argument", "cần một giá trị"),
        ("invalid choice", "lựa chọn không hợp lệ"),
        ("not allowed with argument", "không dùng cùng với"),
        ("argument ", "tham số "),
    )

    def error(self, message):
        for english, vietnamese in self._PHRASES:
            message = message.replace(english, vietnamese)
        self.exit(EXIT_USAGE, f"Lỗi: {message} (xem `{self.prog} --help`)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="tracuu", description="Tra cứu văn bản Đảng và chính quyền địa phương.")
    commands = parser.add_subparsers(
        dest="command", required=True, metavar="LỆNH", parser_class=_Parser
    )

    index = commands.add_parser("index", help="lập chỉ mục từ thư mục văn bản")
    index.add_argument("corpus_dir", nargs="?", type=Path, default=DEFAULT_CORPUS, metavar="CORPUS_DIR")
    index.add_argument("--index-dir", type=Path, default=None)
    index.add_argument("--full", action="store_true", help="đọc lại mọi tệp (mặc định: chỉ tệp thêm, sửa, xoá)")
    index.add_argument(
        "--no-wait", action="store_true", help="khi một lần lập chỉ mục khác đang chạy: dừng ngay thay vì chờ"
    )

    search = commands.add_parser("search", help="tìm đoạn văn bản")
    search.add_argument("query", metavar="QUERY")
    _filter_options(search)
    search.add_argument("--limit", type=_positive_int, default=10)
    search.add_argument("--group", choices=("none", "parent", "document"), default="none",
                        help="một đoạn cho mỗi mục cha (parent) hoặc mỗi văn bản (document); mặc định: mọi đoạn")
    search.add_argument("--json", action="store_true")
    search.add_argument("--index-dir", type=Path, default=None)

    serve = commands.add_parser("serve", help="chạy giao diện web (lập chỉ mục trước nếu cần)")
    serve.add_argument("--index-dir", type=Path, default=None)
    serve.add_argument(
        "--corpus-dir", type=Path, default=None,
        help="thư mục văn bản (mặc định: thư mục chỉ mục đã được lập từ đó, nếu chưa có thì corpus/)",
    )
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=_port, default=5000)
    serve.add_argument("--threads", type=_positive_int, default=4)

    docs = commands.add_parser("docs", help="liệt kê văn bản đã lập chỉ mục")
    docs.add_argument("--json", action="store_true")
    docs.add_argument("--index-dir", type=Path, default=None)

    evaluate = commands.add_parser("eval", help="đo chất lượng xếp hạng trên bộ câu hỏi có đáp án")
    evaluate.add_argument("query_set", nargs="?", type=Path, default=DEFAULT_QUERY_SET, metavar="QUERYSET")
    evaluate.add_argument("--index-dir", type=Path, default=None)

    _add_draft_and_account_commands(commands)
    return parser


def _add_draft_and_account_commands(commands) -> None:
    """tracuu check, users and audit."""
    check = commands.add_parser("check", help="kiểm tra các văn bản một dự thảo dẫn chiếu, đối chiếu với kho")
    check.add_argument("file", type=Path, metavar="TỆP", help="dự thảo .docx, .doc, .pdf, .txt, .md ('-': đầu vào chuẩn)")
    check.add_argument("--json", action="store_true")
    check.add_argument("--index-dir", type=Path, default=None)

    users = commands.add_parser("users", help="người dùng và nhóm (mật khẩu đọc từ đầu vào chuẩn)")
    actions = users.add_subparsers(dest="action", required=True, metavar="VIỆC", parser_class=_Parser)
    add = actions.add_parser("add", help="thêm người dùng")
    add.add_argument("name", metavar="TÊN")
    add.add_argument("--groups", default="", metavar="NHÓM1,NHÓM2")
    add.add_argument("--admin", action="store_true", help="quản trị viên: đọc mọi văn bản, xem nhật ký")
    change = actions.add_parser("set", help="đổi nhóm hoặc quyền quản trị")
    change.add_argument("name", metavar="TÊN")
    change.add_argument("--groups", default=None, metavar="NHÓM1,NHÓM2")
    change.add_argument("--admin", action=argparse.BooleanOptionalAction, default=None)
    for action, text in (("remove", "xoá người dùng"), ("passwd", "đổi mật khẩu (đăng xuất mọi phiên)")):
        actions.add_parser(action, help=text).add_argument("name", metavar="TÊN")
    listing = actions.add_parser("list", help="liệt kê người dùng")
    listing.add_argument("--json", action="store_true")
    for sub in actions.choices.values():
        sub.add_argument("--index-dir", type=Path, default=None)

    audit = commands.add_parser("audit", help="nhật ký: đăng nhập, tìm kiếm, xem văn bản")
    audit.add_argument("--since", type=_since, default=None, metavar="NGÀY|Nd",
                       help="từ ngày (YYYY-MM-DD) hoặc N ngày gần đây (7d); mặc định: 7 ngày")
    audit.add_argument("--user", default="")
    audit.add_argument("--doc", default="", metavar="DOC_ID", help="ai đã xem văn bản này")
    audit.add_argument("--json", action="store_true")
    audit.add_argument("--index-dir", type=Path, default=None)


def _since(text: str) -> float:
    import datetime
    import time

    if text.endswith("d") and text[:-1].isdigit():
        return time.time() - int(text[:-1]) * 86400
    try:
        return datetime.datetime.fromisoformat(text).timestamp()
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{text}” không phải ngày YYYY-MM-DD hay số ngày (7d)") from None


def _accounts(args):
    from search_app.accounts import Accounts

    return Accounts(args.index_dir or default_index_dir())


def _read_password() -> str:
    """From the terminal, asked twice; else the first line of standard input
    (never an argument: it would sit in the shell history and in ps)."""
    import getpass

    if sys.stdin.isatty():
        first = getpass.getpass("Mật khẩu: ")
        if getpass.getpass("Nhập lại mật khẩu: ") != first:
            raise ValueError("Hai lần nhập mật khẩu không khớp.")
        return first
    return sys.stdin.readline().rstrip("\r\n")


def run_check(args) -> int:
    from indexer.metadata import display_date
    from indexer.reader import UnreadableFile
    from search_app.checker import MISMATCH, UNKNOWN, check_text, read_draft, report, summary

    try:
        if str(args.file) == "-":
            text = sys.stdin.read()
        else:
            text = read_draft(args.file.read_bytes(), args.file.name)
    except (OSError, ValueError, UnreadableFile) as error:
        print(f"Lỗi: không đọc được {args.file}: {getattr(error, 'strerror', None) or error}", file=sys.stderr)
        return EXIT_FAILURE
    index = _open(args)
    if index is None:
        return EXIT_FAILURE
    try:
        checked = check_text(index, text)
    except ValueError as error:  # DraftTooLong
        print(f"Lỗi: {error}", file=sys.stderr)
        return EXIT_FAILURE
    if args.json:
        _print_json(report(checked))
        return EXIT_OK
    labels = {"doc_type": "loại", "date": "ngày", "issuer": "cơ quan ban hành", "title": "trích yếu"}
    for c in checked:
        if c.status == UNKNOWN:
            print(f"?  {c.number}: không có trong kho")
            continue
        print(f"{'✗' if c.status == MISMATCH else '✓'}  {c.number}: {c.citation} ({c.doc_id})")
        for name, values in c.differences.items():
            draft, corpus = (display_date(v) if name == "date" else v for v in (values["draft"], values["corpus"]))
            print(f"     {labels[name]}: dự thảo “{draft}”, trong kho “{corpus}”")
    counts = summary(checked)
    print(f"{len(checked)} dẫn chiếu: {counts['ok']} khớp, {counts['mismatch']} sai khác, "
          f"{counts['unknown']} không có trong kho.")
    return EXIT_OK


def run_users(args) -> int:
    from search_app.accounts import AccountError

    accounts = _accounts(args)
    groups = None if getattr(args, "groups", None) is None else args.groups.split(",")
    try:
        if args.action == "add":
            user = accounts.add(args.name, _read_password(), groups, args.admin)
            print(f"Đã thêm {user.name}" + (f" (nhóm: {', '.join(user.groups)})" if user.groups else "")
                  + (" — quản trị viên" if user.admin else "") + ".")
        elif args.action == "set":
            user = accounts.update(args.name, groups, args.admin)
            print(f"{user.name}: nhóm {', '.join(user.groups) or '(không có)'}"
                  + ("; quản trị viên" if user.admin else "") + ".")
        elif args.action == "passwd":
            if accounts.get(args.name) is None:
                raise AccountError(f"Không có người dùng “{args.name}”.")
            accounts.set_password(args.name, _read_password())
            print(f"Đã đổi mật khẩu của {args.name}; mọi phiên đăng nhập của người này đã kết thúc.")
        elif args.action == "remove":
            accounts.remove(args.name)
            print(f"Đã xoá {args.name}.")
        else:
            listed = accounts.users()
            if args.json:
                _print_json([asdict(u) for u in listed])
            for user in [] if args.json else listed:
                print(f"{user.name}\t{','.join(user.groups) or '-'}\t{'quản trị' if user.admin else ''}".rstrip())
    except (ValueError, OSError) as error:  # AccountError is a ValueError
        print(f"Lỗi: {error}", file=sys.stderr)
        return EXIT_FAILURE
    return EXIT_OK


def run_audit(args) -> int:
    import time

    from search_app.accounts import ACTION_LABELS, VIEW, ORIGINAL

    since = args.since if args.since is not None else time.time() - 7 * 86400
    actions = (VIEW, ORIGINAL) if args.doc else ()
    entries = _accounts(args).audit(since=since, user=args.user, target=args.doc, actions=actions)
    if args.json:
        _print_json([asdict(e) for e in entries])
        return EXIT_OK
    for e in entries:
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(e.at))
        print(f"{when}\t{e.user or '-'}\t{ACTION_LABELS.get(e.action, e.action)}\t{e.target}\t{e.address}")
    print(f"{len(entries)} mục.", file=sys.stderr)
    return EXIT_OK


def _print_json(data) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def run_index(args) -> int:
    return _build(args.corpus_dir, args.index_dir or default_index_dir(), full=args.full, wait=not args.no_wait)


def _waiting(holder: str) -> None:
    who = f"tiến trình {holder}" if holder else "một tiến trình khác"
    print(f"Đang chờ {who} lập chỉ mục xong…", file=sys.stderr, flush=True)


def _build(corpus_dir: Path, index_dir: Path, full: bool = False, wait: bool = True) -> int:
    from indexer.build import FIRST_BUILD, EmptyCorpus, build_index
    from indexer.store import BuildLocked

    try:
        report = build_index(
            corpus_dir, index_dir, progress=sys.stderr.isatty(), full=full, wait=wait, waiting=_waiting
        )
    except EmptyCorpus as error:
        print(f"Lỗi: {error}", file=sys.stderr)
        for skipped in error.skipped:
            print(f"  - {skipped.file}: {skipped.reason}", file=sys.stderr)
        return EXIT_FAILURE
    except BuildLocked as error:
        print(f"Lỗi: {error}; chạy lại sau, hoặc bỏ --no-wait để chờ.", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        print("\nĐã dừng lập chỉ mục; chỉ mục đang dùng không thay đổi.", file=sys.stderr)
        return EXIT_INTERRUPTED
    except OSError as error:
        print(f"Lỗi: không lập được chỉ mục: {error.strerror or error}: {error.filename}", file=sys.stderr)
        return EXIT_FAILURE
    if report.full_reason == FIRST_BUILD:
        print("Lập chỉ mục lần đầu.")
    elif report.full_reason:
        print(f"Lập lại toàn bộ chỉ mục ({report.full_reason}).")
    else:
        line = (
            f"Thêm {report.added}, sửa {report.changed}, xoá {report.removed}, "
            f"giữ nguyên {report.unchanged} văn bản"
        )
        if report.reinferred:
            line += f"; lập lại {report.reinferred} văn bản có số hiệu suy ra từ văn bản khác đã đổi"
        print(line + ".")
    print(f"Đã lập chỉ mục {report.documents} văn bản, {report.sections} đoạn vào {index_dir}.")
    if report.full_reason and report.documents < report.previous_documents:
        print(
            f"Cảnh báo: chỉ mục mới có {report.documents} văn bản, ít hơn {report.previous_documents} văn bản "
            f"của chỉ mục cũ (lập từ {report.previous_corpus or 'không rõ'}).",
            file=sys.stderr,
        )
    for warning in report.warnings:
        print(f"Cảnh báo: {warning}", file=sys.stderr)
    if report.skipped:
        print(f"Bỏ qua {len(report.skipped)} tệp:", file=sys.stderr)
        for skipped in report.skipped:
            print(f"  - {skipped.file}: {skipped.reason}", file=sys.stderr)
    return EXIT_OK


def _open(args):
    from indexer.store import IndexMissing, open_current

    index_dir = args.index_dir or default_index_dir()
    # A damaged generation is said below, once, in Vietnamese: not again as
    # the store's log line (the server's log keeps that one).
    logging.getLogger("indexer.store").addHandler(logging.NullHandler())
    try:
        opened = open_current(index_dir)
    except IndexMissing as error:
        print(f"Lỗi: {error}", file=sys.stderr)
    except OSError as error:
        print(f"Lỗi: không mở được chỉ mục {index_dir}: {error.strerror or error}", file=sys.stderr)
    else:
        if opened.warning:
            print(f"Cảnh báo: {opened.warning}", file=sys.stderr)
        return opened
    return None


def _marked(text: str, spans, tty: bool) -> str:
    start_mark, end_mark = ("\033[1m", "\033[0m") if tty else ("«", "»")
    out, last = [], 0
    for start, end in spans:
        out += [text[last:start], start_mark, text[start:end], end_mark]
        last = end
    out.append(text[last:])
    return " ".join("".join(out).split())


def run_search(args) -> int:
    from search_app.facets import FILTER_FIELDS, FilterError, Filters
    from search_app.query import QueryError
    from search_app.search import search

    try:
        filters = Filters(**{name: getattr(args, name) for name in FILTER_FIELDS})
    except FilterError as error:
        print(f"Lỗi: {error}", file=sys.stderr)
        return EXIT_USAGE
    index = _open(args)
    if index is None:
        return EXIT_FAILURE
    try:
        result = search(index, args.query, filters, args.limit, group=args.group)
    except QueryError as error:
        print(f"Lỗi: {error}", file=sys.stderr)
        return EXIT_USAGE
    if args.json:
        _print_json(
            {
                "query": result.query,
                "total": result.total,
                "notes": result.notes,
                "results": [asdict(p) for p in result.passages],
            }
        )
        return EXIT_OK
    tty = sys.stdout.isatty()
    for note in result.notes:
        print(f"Lưu ý: {note}")
    if not result.total:
        print(f"Không tìm thấy kết quả cho “{result.query}”.")
        return EXIT_OK
    shown = len(result.passages)
    print(f"{result.total} kết quả cho “{result.query}” (hiển thị {shown}):\n")
    for rank, passage in enumerate(result.passages, 1):
        document = passage.document
        heading = _marked(passage.heading, passage.heading_highlights, tty)
        where = " › ".join([*map(short, passage.path), heading]) or "(mở đầu)"
        print(f"{rank}. {document.get('citation') or passage.doc_id}")
        print(f"   {where}  [{passage.doc_id}#{passage.section_id}]")
        print(f"   {_marked(passage.snippet, passage.snippet_highlights, tty)}")
        if passage.missing:
            print(f"   Thiếu: {', '.join(passage.missing)}")
        if passage.more_count:
            print(f"   +{passage.more_count} đoạn khác: {', '.join(m['section_id'] for m in passage.more)}")
        print()
    return EXIT_OK


def _warm_up(app) -> None:
    """Load what the first query needs while the server starts listening."""
    from indexer.store import IndexMissing
    from search_app.search import warm_up

    try:
        warm_up(app.extensions["tracuu_index"].get(), default=app.config["DEFAULT_ACCESS"])
    except IndexMissing:
        pass  # the page says so when asked


def run_serve(args) -> int:
    """Serve the web UI with waitress (a production WSGI server), building the
    index first when it is missing or older than the corpus."""
    import waitress

    from indexer.build import stale_reason
    from indexer.store import IndexMissing, current_generation
    from search_app import create_app
    from search_app.memory import keep_freed_memory

    index_dir = args.index_dir or default_index_dir()
    corpus_dir = args.corpus_dir or _indexed_corpus(index_dir)
    reason = stale_reason(corpus_dir, index_dir)
    if reason and args.corpus_dir is None and not corpus_dir.is_dir() and _has_index(index_dir):
        # The index knows its folder; gone, it is served as it is, not
        # replaced by another folder's documents.
        print(f"Cảnh báo: không còn thư mục văn bản {corpus_dir}; dùng chỉ mục như hiện có.", file=sys.stderr)
        reason = ""
    if reason:
        print(f"Lập chỉ mục từ {corpus_dir} ({reason})…", file=sys.stderr)
        if _build(corpus_dir, index_dir) != EXIT_OK:
            try:
                current_generation(index_dir)
            except IndexMissing:
                return EXIT_FAILURE
            print("Cảnh báo: dùng chỉ mục cũ.", file=sys.stderr)
    app = create_app({"INDEX_DIR": str(index_dir)})
    try:
        server = waitress.create_server(app, host=args.host, port=args.port, threads=args.threads)
    except OSError as error:
        print(f"Lỗi: không mở được {args.host}:{args.port}: {error.strerror or error}", file=sys.stderr)
        return EXIT_FAILURE
    keep_freed_memory()
    threading.Thread(target=_warm_up, args=(app,), name="warm-up", daemon=True).start()
    shown = f"[{args.host}]" if ":" in args.host else args.host
    print(f"Tra cứu đang chạy tại http://{shown}:{args.port}/ (Ctrl+C để dừng)", flush=True)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
    return EXIT_OK


def _indexed_corpus(index_dir: Path) -> Path:
    """The folder the index was built from, else the default corpus/."""
    from indexer.store import indexed_corpus

    folder = indexed_corpus(index_dir)
    return Path(folder) if folder else DEFAULT_CORPUS


def _has_index(index_dir: Path) -> bool:
    from indexer.store import IndexMissing, current_generation

    try:
        current_generation(index_dir)
    except IndexMissing:
        return False
    return True


def run_docs(args) -> int:
    index = _open(args)
    if index is None:
        return EXIT_FAILURE
    documents = index.catalog.documents
    if args.json:
        _print_json(index.catalog.entries())
        return EXIT_OK
    for document in documents:
        print(f"{document['doc_id']}: {document['citation'] or document['title']}")
        for name, label in DOC_FIELDS:
            value = document.get(name)
            if value:
                print(f"   {label}: {value} ({source_label(document['sources'].get(name, ''))})")
        # "; " because topic labels hold commas ("An ninh, quốc phòng, biên giới").
        if document.get("topics"):
            print(f"   Chủ đề: {'; '.join(document['topics'])}")
        citing = dict.fromkeys(c["doc_id"] for c in index.catalog.cited_by(document["doc_id"]))
        if citing:
            print(f"   Được dẫn chiếu trong: {'; '.join(citing)}")
        print()
    print(f"{len(documents)} văn bản.")
    return EXIT_OK


def run_eval(args) -> int:
    from search_app.evaluate import K, QuerySetError, load_query_set, run, search_ranker, summarise, unknown_keys
    from search_app.query import QueryError

    try:
        queries = load_query_set(args.query_set)
    except QuerySetError as error:
        print(f"Lỗi: {error}", file=sys.stderr)
        return EXIT_USAGE
    index = _open(args)
    if index is None:
        return EXIT_FAILURE
    unknown = unknown_keys(index, queries)
    if unknown:
        # Judgments naming no indexed section would count as misses for ever.
        print(f"Lỗi: {len(unknown)} đoạn trong bộ câu hỏi không có trong chỉ mục: {', '.join(unknown[:5])}"
              f"{'…' if len(unknown) > 5 else ''} (chỉ mục lập từ kho văn bản khác?)", file=sys.stderr)
        return EXIT_FAILURE
    try:
        outcomes = run(queries, search_ranker(index))
    except QueryError as error:
        print(f"Lỗi: {error}", file=sys.stderr)
        return EXIT_USAGE
    summary = summarise(outcomes)
    print(f"Bộ câu hỏi {args.query_set.name}: {summary.queries} câu.")
    print(f"MRR@{K} {summary.mrr:.3f}   Recall@1 {summary.recall_1:.3f}   Recall@{K} {summary.recall_10:.3f}"
          f"   nDCG@{K} {summary.ndcg:.3f}   trung vị {summary.median_ms:.0f} ms/câu")
    late = [o for o in outcomes if o.rank not in (None, 1)]
    for title, listed in ((f"Không có đoạn đúng trong {K} kết quả đầu", summary.misses),
                          ("Đoạn đúng không đứng đầu", late)):
        if listed:
            print(f"\n{title} ({len(listed)}):")
        for outcome in listed:
            where = f"hạng {outcome.rank}" if outcome.rank else "không thấy"
            print(f"  - “{outcome.query.text}” ({where}); cần: {', '.join(outcome.query.relevant)}")
            print(f"    nhận được: {', '.join(outcome.ranked[:3]) or '(không có kết quả)'}")
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler = {
        "index": run_index, "search": run_search, "serve": run_serve, "docs": run_docs, "eval": run_eval,
        "users": run_users, "audit": run_audit, "check": run_check,
    }[args.command]  # fmt: skip
    try:
        return handler(args)
    except DataFileError as error:
        # A data file staff edit (abbreviations, topics, gazetteer) is broken.
        print(f"Lỗi: tệp dữ liệu hỏng: {error}", file=sys.stderr)
        return EXIT_FAILURE
    except BrokenPipeError:
        # The reader (`| head`) left: stop quietly, as Unix tools do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
