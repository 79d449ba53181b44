"""Users, groups, sign-in sessions and the audit trail, in one SQLite file
beside the index generations (``INDEX/accounts.sqlite3``): a rebuild never
touches it, and one folder holds a deployment's state.

Passwords are kept as Werkzeug's scrypt hashes. A session is a random token
whose SHA-256 is stored, so a copy of the database opens no session; signing
out or a password change ends it on the server, not only in the browser.
The schema is versioned (``PRAGMA user_version``) and migrated on open.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import sqlite3
import time
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

from werkzeug.security import check_password_hash, generate_password_hash

from indexer.access import GROUP_NAME

DATABASE = "accounts.sqlite3"
USER_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
MIN_PASSWORD = 8
SESSION_IDLE_S = 8 * 3600  # a working day without a request signs out
SESSION_MAX_S = 7 * 24 * 3600
# Failed sign-ins in the window that stop further tries, per name and per address.
FAILED_WINDOW_S, FAILED_PER_NAME, FAILED_PER_ADDRESS = 15 * 60, 5, 20

# Each entry moves the schema one version on; never edit a released one.
MIGRATIONS = (
    """
    CREATE TABLE users (
        name TEXT PRIMARY KEY,
        password TEXT NOT NULL,
        groups TEXT NOT NULL DEFAULT '',
        admin INTEGER NOT NULL DEFAULT 0,
        created REAL NOT NULL,
        changed REAL NOT NULL
    );
    CREATE TABLE sessions (
        token TEXT PRIMARY KEY,
        name TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,
        created REAL NOT NULL,
        seen REAL NOT NULL
    );
    CREATE TABLE audit (
        id INTEGER PRIMARY KEY,
        at REAL NOT NULL,
        user TEXT NOT NULL DEFAULT '',
        action TEXT NOT NULL,
        target TEXT NOT NULL DEFAULT '',
        address TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX audit_at ON audit(at);
    CREATE INDEX audit_target ON audit(action, target);
    CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    """,
    # 2: the citation baskets (search_app.basket), a signed-in user's or a browser session's.
    """
    CREATE TABLE basket (
        id INTEGER PRIMARY KEY,
        owner TEXT NOT NULL,
        position INTEGER NOT NULL,
        doc_id TEXT NOT NULL,
        section_id TEXT NOT NULL,
        quote TEXT NOT NULL,
        added REAL NOT NULL
    );
    CREATE INDEX basket_owner ON basket(owner, position);
    """,
)
# Audit actions.
LOGIN, LOGIN_FAILED, LOGOUT, SEARCH, VIEW, ORIGINAL, EXPORT = (
    "login", "login_failed", "logout", "search", "view", "original", "export",
)  # fmt: skip
ACTION_LABELS = {
    LOGIN: "đăng nhập", LOGIN_FAILED: "đăng nhập sai", LOGOUT: "đăng xuất",
    SEARCH: "tìm kiếm", VIEW: "xem văn bản", ORIGINAL: "tải bản gốc", EXPORT: "xuất tập trích dẫn",
}  # fmt: skip


class AccountError(ValueError):
    """A request about users that cannot be done; the message says why, in Vietnamese."""


@dataclass(frozen=True)
class User:
    name: str
    groups: tuple[str, ...]
    admin: bool


@dataclass(frozen=True)
class AuditEntry:
    at: float
    user: str
    action: str
    target: str
    address: str


def _token_key(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# Checked against when the name is unknown, so that a wrong name costs what
# a wrong password does and the answer's timing names no user.
_DUMMY_HASH = generate_password_hash(secrets.token_hex(16))


class Accounts:
    def __init__(self, folder: Path):
        self.path = Path(folder) / DATABASE
        self._ready = False

    @contextmanager
    def connect(self):
        """A connection in a transaction (committed on leaving), schema up to date."""
        if not self._ready:
            self._migrate()
        with closing(sqlite3.connect(self.path, timeout=30)) as db:
            db.execute("PRAGMA foreign_keys = ON")
            with db:
                yield db

    def _migrate(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if not self.path.exists():
            # Password hashes and the audit trail: the owner's eyes only.
            os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600))
        with closing(sqlite3.connect(self.path, timeout=30)) as db:
            db.execute("PRAGMA journal_mode = WAL")  # readers never wait for the audit's writes
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version > len(MIGRATIONS):
                raise AccountError(
                    f"{self.path}: cơ sở dữ liệu người dùng của phiên bản mới hơn (v{version}); hãy cập nhật Tra cứu."
                )
            for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
                db.executescript(f"BEGIN; {script}; PRAGMA user_version = {number}; COMMIT;")
        self._ready = True

    # ---------------------------------------------------------------- users

    def add(self, name: str, password: str, groups=(), admin: bool = False) -> User:
        name = _checked_name(name)
        groups = _checked_groups(groups)
        now = time.time()
        try:
            with self.connect() as db:
                db.execute(
                    "INSERT INTO users (name, password, groups, admin, created, changed) VALUES (?, ?, ?, ?, ?, ?)",
                    (name, _hashed(password), ",".join(groups), int(admin), now, now),
                )
        except sqlite3.IntegrityError:
            raise AccountError(f"Đã có người dùng “{name}”.") from None
        return User(name, groups, admin)

    def update(self, name: str, groups=None, admin: bool | None = None) -> User:
        user = self.get(name)
        if user is None:
            raise AccountError(f"Không có người dùng “{name}”.")
        groups = user.groups if groups is None else _checked_groups(groups)
        admin = user.admin if admin is None else admin
        with self.connect() as db:
            db.execute(
                "UPDATE users SET groups = ?, admin = ?, changed = ? WHERE name = ?",
                (",".join(groups), int(admin), time.time(), user.name),
            )
        return User(user.name, groups, admin)

    def set_password(self, name: str, password: str) -> None:
        """Also signs the user out everywhere: whoever knew the old one is out."""
        with self.connect() as db:
            changed = db.execute(
                "UPDATE users SET password = ?, changed = ? WHERE name = ?", (_hashed(password), time.time(), name)
            ).rowcount
            db.execute("DELETE FROM sessions WHERE name = ?", (name,))
        if not changed:
            raise AccountError(f"Không có người dùng “{name}”.")

    def remove(self, name: str) -> None:
        with self.connect() as db:
            db.execute("DELETE FROM sessions WHERE name = ?", (name,))
            if not db.execute("DELETE FROM users WHERE name = ?", (name,)).rowcount:
                raise AccountError(f"Không có người dùng “{name}”.")

    def get(self, name: str) -> User | None:
        with self.connect() as db:
            row = db.execute("SELECT name, groups, admin FROM users WHERE name = ?", (name,)).fetchone()
        return _user(row) if row else None

    def users(self) -> list[User]:
        with self.connect() as db:
            return [_user(row) for row in db.execute("SELECT name, groups, admin FROM users ORDER BY name")]

    def check(self, name: str, password: str) -> User | None:
        """The user when the password is theirs; the same work either way."""
        with self.connect() as db:
            row = db.execute("SELECT name, groups, admin, password FROM users WHERE name = ?", (name,)).fetchone()
        ok = check_password_hash(row[3] if row else _DUMMY_HASH, password)
        return _user(row[:3]) if row and ok else None

    # ------------------------------------------------------------- sessions

    def open_session(self, user: User) -> str:
        token = secrets.token_urlsafe(32)
        now = time.time()
        with self.connect() as db:
            db.execute("DELETE FROM sessions WHERE seen < ? OR created < ?", (now - SESSION_IDLE_S, now - SESSION_MAX_S))
            db.execute("INSERT INTO sessions VALUES (?, ?, ?, ?)", (_token_key(token), user.name, now, now))
        return token

    def session_user(self, token: str) -> User | None:
        """The user of a live session; it counts as seen now."""
        now = time.time()
        key = _token_key(token)
        with self.connect() as db:
            row = db.execute(
                "SELECT u.name, u.groups, u.admin, s.seen FROM sessions s JOIN users u ON u.name = s.name "
                "WHERE s.token = ? AND s.seen >= ? AND s.created >= ?",
                (key, now - SESSION_IDLE_S, now - SESSION_MAX_S),
            ).fetchone()
            if row and now - row[3] > 60:  # one write a minute per session, not one per request
                db.execute("UPDATE sessions SET seen = ? WHERE token = ?", (now, key))
        return _user(row[:3]) if row else None

    def close_session(self, token: str) -> None:
        with self.connect() as db:
            db.execute("DELETE FROM sessions WHERE token = ?", (_token_key(token),))

    def secret_key(self) -> str:
        """The key that signs session cookies, made once per deployment."""
        with self.connect() as db:
            db.execute("INSERT OR IGNORE INTO settings VALUES ('secret_key', ?)", (secrets.token_hex(32),))
            return db.execute("SELECT value FROM settings WHERE key = 'secret_key'").fetchone()[0]

    # ---------------------------------------------------------------- audit

    def record(self, action: str, user: str = "", target: str = "", address: str = "") -> None:
        with self.connect() as db:
            db.execute(
                "INSERT INTO audit (at, user, action, target, address) VALUES (?, ?, ?, ?, ?)",
                (time.time(), user, action, target[:2000], address),
            )

    def audit(self, since: float = 0.0, user: str = "", target: str = "", actions=(), limit: int = 0) -> list[AuditEntry]:
        """Entries oldest first (newest first when ``limit`` is set)."""
        sql = "SELECT at, user, action, target, address FROM audit WHERE at >= ?"
        args: list = [since]
        if user:
            sql, args = sql + " AND user = ?", [*args, user]
        if target:
            sql, args = sql + " AND target = ?", [*args, target]
        if actions:
            sql += f" AND action IN ({','.join('?' * len(actions))})"
            args += list(actions)
        sql += " ORDER BY id DESC LIMIT ?" if limit else " ORDER BY id"
        with self.connect() as db:
            return [AuditEntry(*row) for row in db.execute(sql, [*args, limit] if limit else args)]

    def sign_in_blocked(self, name: str, address: str) -> bool:
        """Too many failed sign-ins lately, for this name or from this address."""
        since = time.time() - FAILED_WINDOW_S
        with self.connect() as db:
            by_name, by_address = db.execute(
                "SELECT COALESCE(SUM(target = ?), 0), COALESCE(SUM(address = ?), 0) FROM audit "
                "WHERE action = ? AND at >= ?",
                (name, address, LOGIN_FAILED, since),
            ).fetchone()
        return by_name >= FAILED_PER_NAME or by_address >= FAILED_PER_ADDRESS


def _user(row) -> User:
    name, groups, admin = row
    return User(name, tuple(g for g in groups.split(",") if g), bool(admin))


def _checked_name(name: str) -> str:
    if not USER_NAME.fullmatch(name or ""):
        raise AccountError(
            f"Tên người dùng không hợp lệ: “{name}” (chữ thường không dấu, số, . _ -; tối đa 64 ký tự)."
        )
    return name


def _checked_groups(groups) -> tuple[str, ...]:
    groups = tuple(sorted({g.strip() for g in groups if g.strip()}))
    bad = [g for g in groups if not GROUP_NAME.fullmatch(g)]
    if bad:
        raise AccountError(f"Tên nhóm không hợp lệ: {', '.join(bad)} (chữ, số, . _ -).")
    return groups


def _hashed(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"Mật khẩu phải có ít nhất {MIN_PASSWORD} ký tự.")
    return generate_password_hash(password)
