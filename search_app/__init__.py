"""Tra cứu's web application: the search page, document pages and JSON API."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]

# Content-Security-Policy: no inline script or style, nothing from elsewhere.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def default_index_dir() -> Path:
    """$TRACUU_INDEX_DIR, else var/index in the project (ignored by git)."""
    configured = os.environ.get("TRACUU_INDEX_DIR")
    return Path(configured) if configured else PROJECT_DIR / "var" / "index"


def create_app(test_config: dict | None = None):
    """Flask app factory. Config ``INDEX_DIR``: the index root (default
    $TRACUU_INDEX_DIR, else var/index); ``PUBLIC_URL``: the address staff
    reach the app at, for the permalinks in citations (default
    $TRACUU_PUBLIC_URL, else the address of each request)."""
    from flask import Flask

    from search_app import api, auth, basket, views
    from search_app.accounts import SESSION_IDLE_S, Accounts
    from search_app.indexes import IndexHolder, RecentSearches
    from search_app.search import warm_up

    app = Flask(__name__)
    app.config.from_mapping(
        INDEX_DIR=str(default_index_dir()),
        PUBLIC_URL=os.environ.get("TRACUU_PUBLIC_URL", ""),
        # Documents whose folder and sidecar say nothing: "internal" (signed-in
        # users) or "public". The sample corpus says "public" in its _access.toml.
        DEFAULT_ACCESS=os.environ.get("TRACUU_DEFAULT_ACCESS", "internal"),
        REQUIRE_LOGIN=os.environ.get("TRACUU_REQUIRE_LOGIN", "").lower() in ("1", "true", "yes"),
        SEARCH_RATE_LIMIT=os.environ.get("TRACUU_SEARCH_RATE_LIMIT", "120/60"),  # searches / seconds per client
        SESSION_COOKIE_NAME="tracuu_session",
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_HTTPONLY=True,
        PERMANENT_SESSION_LIFETIME=SESSION_IDLE_S,
        WTF_CSRF_TIME_LIMIT=SESSION_IDLE_S,  # a form left open for the day still posts
        MAX_CONTENT_LENGTH=50 * 1024 * 1024,  # a draft uploaded to the checker
    )
    if test_config:
        app.config.update(test_config)
    if app.config["PUBLIC_URL"].startswith("https://"):
        app.config["SESSION_COOKIE_SECURE"] = True  # staff reach it over TLS: cookies never go in clear
    accounts = Accounts(Path(app.config["INDEX_DIR"]))
    auth.init_app(app, accounts)
    app.extensions["tracuu_baskets"] = basket.Baskets(accounts)
    app.register_blueprint(basket.blueprint)
    app.json.ensure_ascii = False
    app.json.sort_keys = False  # keep the documented field order
    # A rebuilt index is opened and warmed beside the live one, on the
    # searches staff made last (indexes.py).
    recent = app.extensions["tracuu_recent"] = RecentSearches()
    app.extensions["tracuu_index"] = IndexHolder(
        Path(app.config["INDEX_DIR"]),
        prepare=lambda index: warm_up(index, recent.newest_first(), app.config["DEFAULT_ACCESS"]),
    )
    app.register_blueprint(views.blueprint)
    app.register_blueprint(api.blueprint)
    views.register_error_pages(app)

    @app.after_request
    def _secure(response):
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    return app
