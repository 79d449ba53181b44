"""Sign-in, sign-out and who is asking: Flask-Login over the server-side
sessions of search_app.accounts, CSRF protection on every form
(Flask-WTF), HTTP Basic for scripts on the JSON API, the audit trail, and
per-client limits on sign-in and search.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from urllib.parse import urlencode, urlsplit

from flask import Blueprint, current_app, g, jsonify, redirect, render_template, request, session, url_for
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from flask_wtf.csrf import CSRFError, CSRFProtect

from search_app.accounts import LOGIN, LOGIN_FAILED, LOGOUT, SEARCH, Accounts, User
from search_app.access import DEFAULT_LEVELS, Viewer

blueprint = Blueprint("auth", __name__)
csrf = CSRFProtect()
login_manager = LoginManager()
BASIC_REALM = 'Basic realm="Tra cứu", charset="UTF-8"'


class SignedIn(UserMixin):
    """The user of this request; ``token`` is their session's (None for Basic)."""

    def __init__(self, user: User, token: str | None):
        self.user = user
        self.token = token

    def get_id(self) -> str | None:
        return self.token


def accounts() -> Accounts:
    return current_app.extensions["tracuu_accounts"]


@login_manager.user_loader
def _from_session(token: str):
    user = accounts().session_user(token)
    return SignedIn(user, token) if user else None


@login_manager.request_loader
def _from_basic(req):
    auth = req.authorization
    if auth is None or auth.type != "basic" or not req.path.startswith("/api/"):
        return None
    name, address = (auth.username or "").strip().lower(), req.remote_addr or ""
    if accounts().sign_in_blocked(name, address):
        g.sign_in_blocked = True
        return None
    user = accounts().check(name, auth.password or "")
    if user is None:
        accounts().record(LOGIN_FAILED, name[:64], name[:64], address)
        return None
    return SignedIn(user, None)


def viewer() -> Viewer:
    """Who reads this request's answer."""
    default = current_app.config["DEFAULT_ACCESS"]
    if current_user.is_authenticated:
        user = current_user.user
        return Viewer(user.name, frozenset(user.groups), user.admin, default)
    return Viewer(default=default)


def audit(action: str, target: str) -> None:
    """What a signed-in user did; nobody's reading is not a person's to audit."""
    if current_user.is_authenticated:
        accounts().record(action, current_user.user.name, target, request.remote_addr or "")


def audit_search(wanted) -> None:
    args = wanted.args()
    if args:
        audit(SEARCH, urlencode(args, doseq=True))


class RateLimit:
    """At most ``count`` requests per ``seconds`` per client, in this process."""

    def __init__(self, count: int, seconds: float):
        self.count, self.seconds = count, seconds
        self._lock = threading.Lock()
        self._seen: dict[str, deque] = {}

    def wait(self, client: str) -> float:
        """0 when the request may go on, else the seconds to wait."""
        now = time.monotonic()
        with self._lock:
            if len(self._seen) > 10_000:  # forget idle clients rather than grow
                self._seen = {k: v for k, v in self._seen.items() if v and now - v[-1] < self.seconds}
            times = self._seen.setdefault(client, deque())
            while times and now - times[0] >= self.seconds:
                times.popleft()
            if len(times) >= self.count:
                return self.seconds - (now - times[0])
            times.append(now)
            return 0.0


def search_wait() -> float:
    """Seconds this client must wait before searching (or checking a draft)
    again (0: go on)."""
    client = current_user.user.name if current_user.is_authenticated else f"@{request.remote_addr}"
    return current_app.extensions["tracuu_search_limit"].wait(client)


def too_many(wait: float) -> str:
    """The message of a 429 for ``search_wait``'s seconds."""
    return f"Quá nhiều lượt tìm trong thời gian ngắn; xin chờ {max(1, round(wait))} giây rồi thử lại."


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path on this site only."""
    target = (target or "").strip()
    parts = urlsplit(target)
    if (
        not target.startswith("/")
        or target.startswith(("//", "/\\"))
        or parts.scheme
        or parts.netloc
        or any(ord(c) < 32 for c in target)
    ):
        return url_for("views.home")
    return target


def _login_page(error: str = "", status: int = 200, name: str = ""):
    return render_template(
        "login.html", error=error, name=name, next=safe_next(request.values.get("next"))
    ), status


@blueprint.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "GET":
        return _login_page()
    name = (request.form.get("username") or "").strip().lower()
    password = request.form.get("password") or ""
    address = request.remote_addr or ""
    if accounts().sign_in_blocked(name, address):
        return _login_page("Đăng nhập sai quá nhiều lần; xin thử lại sau 15 phút.", 429, name)
    user = accounts().check(name, password) if name and password else None
    if user is None:
        accounts().record(LOGIN_FAILED, name[:64], name[:64], address)
        return _login_page("Tên đăng nhập hoặc mật khẩu không đúng.", 401, name)
    # A new session: whatever cookie came before (one an attacker planted) signs
    # no one in. What the browser collected before signing in goes with the user.
    collected = session.get("basket")
    session.clear()
    if collected:
        current_app.extensions["tracuu_baskets"].adopt(f"s:{collected}", f"u:{user.name}")
    login_user(SignedIn(user, accounts().open_session(user)))
    session.permanent = True
    accounts().record(LOGIN, user.name, "", address)
    return redirect(safe_next(request.form.get("next")))


@blueprint.post("/logout")
def logout():
    if current_user.is_authenticated and current_user.token:
        accounts().close_session(current_user.token)
        accounts().record(LOGOUT, current_user.user.name, "", request.remote_addr or "")
    logout_user()
    session.clear()
    return redirect(url_for("views.home"))


def _unauthorised():
    if request.path.startswith("/api/"):
        if g.get("sign_in_blocked"):
            return jsonify({"error": "Đăng nhập sai quá nhiều lần; xin thử lại sau 15 phút."}), 429
        response = jsonify({"error": "Cần đăng nhập (phiên đăng nhập hoặc HTTP Basic)."})
        response.status_code = 401
        response.headers["WWW-Authenticate"] = BASIC_REALM
        return response
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def _guard():
    """Sign-in required where the deployment says so; wrong Basic
    credentials are refused, never read as nobody."""
    if current_user.is_authenticated or request.endpoint in ("auth.login", "static"):
        return None
    if request.path.startswith("/api/") and request.authorization is not None:
        return _unauthorised()
    if current_app.config["REQUIRE_LOGIN"]:
        return _unauthorised()
    return None


def init_app(app, accounts_store: Accounts) -> None:
    if app.config["DEFAULT_ACCESS"] not in DEFAULT_LEVELS:
        raise ValueError(
            f"TRACUU_DEFAULT_ACCESS phải là {' hoặc '.join(DEFAULT_LEVELS)}, "
            f"không phải “{app.config['DEFAULT_ACCESS']}”"
        )
    app.extensions["tracuu_accounts"] = accounts_store
    count, _, seconds = str(app.config["SEARCH_RATE_LIMIT"]).partition("/")
    app.extensions["tracuu_search_limit"] = RateLimit(int(count), float(seconds or 60))
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = accounts_store.secret_key()
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.unauthorized_handler(_unauthorised)
    app.before_request(_guard)
    app.register_blueprint(blueprint)

    @app.errorhandler(CSRFError)
    def _csrf_failed(error):
        message = "Biểu mẫu đã hết hạn hoặc không hợp lệ; xin tải lại trang và thử lại."
        if request.path.startswith("/api/"):
            return jsonify({"error": message}), 400
        return render_template("error.html", title="Yêu cầu không hợp lệ", message=message), 400

    @app.context_processor
    def _who():
        return {"signed_in": current_user.user if current_user.is_authenticated else None}

