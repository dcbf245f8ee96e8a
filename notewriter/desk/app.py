"""The review desk: a small server-rendered web app (Starlette, Jinja, plain forms) over the store.

Every page and API call but the login needs a session; forms carry a CSRF token; API writes must be JSON
(a cross-site form cannot send it); pages are sent with a strict Content-Security-Policy and escape every
vendor and user string. It binds to 127.0.0.1 unless told otherwise.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..errors import UsageError
from .auth import new_token, same_token, verify_password
from .edit import edit_section, word_diff
from .store import STATES, TOOL, TRANSITIONS, Store, TransitionRefused
from ..track.report import pct  # the record panel prints shares and returns as the report does
from .record import track_panel
from .view import caveats, section_rows, tail_html

HERE = Path(__file__).resolve().parent
CSP = ("default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; "
       "frame-ancestors 'none'")
# what each role may move a document to
ROLE_MOVES = {"editor": {"in_review", "withdrawn"},
              "approver": {"in_review", "changes_requested", "approved", "published", "withdrawn"}}


def _age(stamp: str) -> str:
    then = datetime.fromisoformat(stamp)
    hours = (datetime.now(timezone.utc) - then).total_seconds() / 3600
    return f"{hours:.0f} h" if hours < 48 else f"{hours / 24:.0f} d"


class Desk:
    def __init__(self, store: Store, four_eyes: bool = False, track_path: str | Path | None = None):
        self.store, self.four_eyes = store, four_eyes
        self.track_path = track_path if track_path is not None else store.path
        self.env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]))
        self.env.filters["age"] = _age
        self.env.filters["pct"] = pct

    # ---- plumbing -------------------------------------------------------------------------------

    def page(self, request: Request, name: str, status: int = 200, **ctx) -> HTMLResponse:
        user = self.user(request)
        body = self.env.get_template(name).render(user=user, csrf=request.session.get("csrf", ""),
                                                  flash=request.session.pop("flash", None), **ctx)
        return HTMLResponse(body, status_code=status)

    def user(self, request: Request) -> dict | None:
        name = request.session.get("user")
        return self.store.user(name) if name else None

    def _login_needed(self, request: Request) -> Response | None:
        if self.user(request) is None:
            if request.url.path.startswith("/api/"):
                return JSONResponse({"error": "log in first (POST /api/login)"}, status_code=401)
            return RedirectResponse("/login", status_code=303)
        return None

    async def _form(self, request: Request) -> dict:
        form = await request.form()
        if not same_token(form.get("csrf"), request.session.get("csrf")):
            raise PermissionError("the form's CSRF token is missing or wrong; reload the page")
        return dict(form)

    async def _json(self, request: Request) -> dict:
        if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
            raise PermissionError("send JSON (Content-Type: application/json)")
        try:
            body = await request.json()
        except ValueError:
            raise UsageError("the request body is not JSON") from None
        if not isinstance(body, dict):
            raise UsageError("expected a JSON object")
        return body

    def _doc_or_404(self, doc_id: int) -> dict:
        try:
            return self.store.document(doc_id)
        except KeyError:
            raise LookupError(f"no document {doc_id}") from None

    # ---- actions shared by the pages and the API -----------------------------------------------------

    def save_section(self, doc_id: int, key: str, text: str, user: dict) -> dict:
        row = self._doc_or_404(doc_id)
        if row["state"] in ("published", "withdrawn", "corrected"):
            raise TransitionRefused(f"a {row['state']} document cannot be edited; correct it instead")
        current = self.store.version(doc_id).document
        if key not in current["sections"]:
            raise LookupError(f"no section {key!r}")
        new = edit_section(current, key, text)
        number = self.store.add_version(doc_id, new, user["name"], detail={"section": key})
        return {"version": number, "check": new["check"]}

    def move(self, doc_id: int, to: str, reason: str | None, override: bool, user: dict) -> str:
        row = self._doc_or_404(doc_id)
        if to not in ROLE_MOVES.get(user["role"], set()):
            raise TransitionRefused(f"an {user['role']} cannot move a document to {to}")
        if self.four_eyes and to == "approved":
            last = self.store.version(doc_id)
            if last.author == user["name"]:
                raise TransitionRefused("the approver may not be the last editor of the document")
        del row
        return self.store.transition(doc_id, to, user["name"], reason, override=override, role=user["role"])

    # ---- pages -----------------------------------------------------------------------------------

    async def login_page(self, request: Request) -> Response:
        if request.method == "GET":
            request.session.setdefault("csrf", new_token())
            return self.page(request, "login.html")
        form = await request.form()
        if not same_token(form.get("csrf"), request.session.get("csrf")):
            return self.page(request, "login.html", 400, error="the form expired; try again")
        user = self.store.user(str(form.get("user", "")))
        if user is None or not verify_password(str(form.get("password", "")), user["password_hash"]):
            return self.page(request, "login.html", 401, error="wrong user name or password")
        request.session.clear()
        request.session.update(user=user["name"], csrf=new_token())
        return RedirectResponse("/", status_code=303)

    async def logout(self, request: Request) -> Response:
        await self._form(request)
        request.session.clear()
        return RedirectResponse("/login", status_code=303)

    async def queue(self, request: Request) -> Response:
        q = request.query_params
        docs = self.store.documents(state=q.get("state") or None, subject=(q.get("ticker") or "").upper() or None,
                                    as_of=q.get("as_of") or None, kind=q.get("kind") or None)
        return self.page(request, "queue.html", docs=docs, states=STATES, q=q)

    async def document(self, request: Request) -> Response:
        doc_id = int(request.path_params["doc_id"])
        row = self._doc_or_404(doc_id)
        v = self.store.version(doc_id)
        comments = self.store.comments(doc_id)
        return self.page(request, "document.html", row=row, v=v, title=v.document.get("title", ""),
                         tail=Markup(tail_html(v.document)), sections=section_rows(v.document),
                         caveats=caveats(v.document), comments=comments, moves=TRANSITIONS[row["state"]],
                         record=track_panel(self.track_path, v.document))

    async def edit(self, request: Request) -> Response:
        doc_id, key = int(request.path_params["doc_id"]), request.path_params["key"]
        row = self._doc_or_404(doc_id)
        user = self.user(request)
        result = None
        if request.method == "POST":
            form = await self._form(request)
            result = self.save_section(doc_id, key, str(form.get("text", "")), user)
        v = self.store.version(doc_id)
        sec = v.document["sections"].get(key)
        if sec is None:
            raise LookupError(f"no section {key!r}")
        machine = next((self.store.version(doc_id, n["number"]) for n in reversed(self.store.versions(doc_id))
                        if n["author"] == TOOL), None)
        previous = self.store.version(doc_id, v.number - 1) if v.number > 1 else None
        diffs = {}
        if machine is not None:
            diffs["the machine draft"] = word_diff(machine.document["sections"].get(key, {}).get("text", ""),
                                                   sec["text"])
        if previous is not None:
            diffs["the previous version"] = word_diff(previous.document["sections"].get(key, {}).get("text", ""),
                                                      sec["text"])
        this = next(r for r in section_rows(v.document) if r["key"] == key)
        return self.page(request, "edit.html", row=row, v=v, key=key, sec=sec, diffs=diffs, result=result,
                         html=Markup(this["html"]), unsupported=this["unsupported"])

    async def transition(self, request: Request) -> Response:
        doc_id = int(request.path_params["doc_id"])
        form = await self._form(request)
        try:
            self.move(doc_id, str(form.get("to", "")), str(form.get("reason", "")) or None,
                      form.get("override") == "on", self.user(request))
            request.session["flash"] = f"moved to {form.get('to')}"
        except TransitionRefused as err:
            request.session["flash"] = f"not moved: {err}"
        return RedirectResponse(f"/doc/{doc_id}", status_code=303)

    async def comment(self, request: Request) -> Response:
        doc_id = int(request.path_params["doc_id"])
        form = await self._form(request)
        self._doc_or_404(doc_id)
        self.store.comment(doc_id, self.user(request)["name"], str(form.get("text", "")),
                           section=str(form.get("section") or "") or None)
        return RedirectResponse(f"/doc/{doc_id}#comments", status_code=303)

    async def history(self, request: Request) -> Response:
        doc_id = int(request.path_params["doc_id"])
        row = self._doc_or_404(doc_id)
        return self.page(request, "history.html", row=row, versions=self.store.versions(doc_id),
                         audit=self.store.audit(doc_id))

    # ---- the JSON API -------------------------------------------------------------------------------

    async def api_login(self, request: Request) -> Response:
        body = await self._json(request)
        user = self.store.user(str(body.get("user", "")))
        if user is None or not verify_password(str(body.get("password", "")), user["password_hash"]):
            return JSONResponse({"error": "wrong user name or password"}, status_code=401)
        request.session.clear()
        request.session.update(user=user["name"], csrf=new_token())
        return JSONResponse({"user": user["name"], "role": user["role"]})

    async def api_documents(self, request: Request) -> Response:
        q = request.query_params
        return JSONResponse(self.store.documents(state=q.get("state") or None,
                                                 subject=(q.get("ticker") or "").upper() or None,
                                                 as_of=q.get("as_of") or None, kind=q.get("kind") or None))

    async def api_document(self, request: Request) -> Response:
        doc_id = int(request.path_params["doc_id"])
        row = self._doc_or_404(doc_id)
        v = self.store.version(doc_id)
        return JSONResponse({"id": doc_id, "state": row["state"], "version": v.number, "document": v.document})

    async def api_section(self, request: Request) -> Response:
        doc_id, key = int(request.path_params["doc_id"]), request.path_params["key"]
        body = await self._json(request)
        if not isinstance(body.get("text"), str):
            raise UsageError('expected {"text": "..."}')
        return JSONResponse(self.save_section(doc_id, key, body["text"], self.user(request)))

    async def api_transition(self, request: Request) -> Response:
        doc_id = int(request.path_params["doc_id"])
        body = await self._json(request)
        state = self.move(doc_id, str(body.get("to", "")), body.get("reason"), bool(body.get("override")),
                          self.user(request))
        return JSONResponse({"id": doc_id, "state": state})

    async def api_comment(self, request: Request) -> Response:
        doc_id = int(request.path_params["doc_id"])
        body = await self._json(request)
        self._doc_or_404(doc_id)
        self.store.comment(doc_id, self.user(request)["name"], str(body.get("text", "")), section=body.get("section"))
        return JSONResponse({"ok": True})

    async def api_audit(self, request: Request) -> Response:
        doc_id = int(request.path_params["doc_id"])
        self._doc_or_404(doc_id)
        return JSONResponse(self.store.audit(doc_id))

    async def api_versions(self, request: Request) -> Response:
        doc_id = int(request.path_params["doc_id"])
        self._doc_or_404(doc_id)
        return JSONResponse(self.store.versions(doc_id))


def create_app(store_path: str | Path, four_eyes: bool = False, track_path: str | Path | None = None) -> Starlette:
    """The desk over `store_path`; the track record beside fund notes comes from `track_path` (default: the
    store file itself)."""
    store = Store(store_path)
    desk = Desk(store, four_eyes, track_path)
    public = {"/login", "/api/login", "/static/desk.css"}

    def guarded(handler):
        async def endpoint(request: Request) -> Response:
            if request.url.path not in public:
                refused = desk._login_needed(request)
                if refused is not None:
                    return refused
            api = request.url.path.startswith("/api/")
            try:
                return await handler(request)
            except TransitionRefused as err:
                return JSONResponse({"error": str(err)}, status_code=409) if api else \
                    desk.page(request, "error.html", 409, message=str(err))
            except PermissionError as err:
                return JSONResponse({"error": str(err)}, status_code=403) if api else \
                    desk.page(request, "error.html", 403, message=str(err))
            except LookupError as err:
                return JSONResponse({"error": str(err).strip("'\"")}, status_code=404) if api else \
                    desk.page(request, "error.html", 404, message=str(err))
            except UsageError as err:
                return JSONResponse({"error": str(err)}, status_code=400) if api else \
                    desk.page(request, "error.html", 400, message=str(err))
        return endpoint

    routes = [
        Route("/login", guarded(desk.login_page), methods=["GET", "POST"]),
        Route("/logout", guarded(desk.logout), methods=["POST"]),
        Route("/", guarded(desk.queue)),
        Route("/doc/{doc_id:int}", guarded(desk.document)),
        Route("/doc/{doc_id:int}/edit/{key}", guarded(desk.edit), methods=["GET", "POST"]),
        Route("/doc/{doc_id:int}/transition", guarded(desk.transition), methods=["POST"]),
        Route("/doc/{doc_id:int}/comment", guarded(desk.comment), methods=["POST"]),
        Route("/doc/{doc_id:int}/history", guarded(desk.history)),
        Route("/api/login", guarded(desk.api_login), methods=["POST"]),
        Route("/api/documents", guarded(desk.api_documents)),
        Route("/api/documents/{doc_id:int}", guarded(desk.api_document)),
        Route("/api/documents/{doc_id:int}/sections/{key}", guarded(desk.api_section), methods=["POST"]),
        Route("/api/documents/{doc_id:int}/transition", guarded(desk.api_transition), methods=["POST"]),
        Route("/api/documents/{doc_id:int}/comments", guarded(desk.api_comment), methods=["POST"]),
        Route("/api/documents/{doc_id:int}/audit", guarded(desk.api_audit)),
        Route("/api/documents/{doc_id:int}/versions", guarded(desk.api_versions)),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]

    class Headers:
        """Security headers on every response."""

        def __init__(self, app):
            self.app = app

        async def __call__(self, scope, receive, send):
            async def with_headers(message):
                if message["type"] == "http.response.start":
                    headers = message.setdefault("headers", [])
                    headers += [(b"content-security-policy", CSP.encode()), (b"x-content-type-options", b"nosniff"),
                                (b"referrer-policy", b"no-referrer"), (b"x-frame-options", b"DENY"),
                                (b"cache-control", b"no-store")]
                await send(message)
            await self.app(scope, receive, with_headers)

    app = Starlette(routes=routes, middleware=[
        Middleware(Headers),
        Middleware(SessionMiddleware, secret_key=store.secret(), session_cookie="notewriter_desk",
                   same_site="strict", max_age=12 * 3600)])
    app.state.desk = desk
    return app


def serve(store_path: str | Path, host: str = "127.0.0.1", port: int = 8000, four_eyes: bool = False,
          track_path: str | Path | None = None) -> None:
    import uvicorn

    uvicorn.run(create_app(store_path, four_eyes, track_path), host=host, port=port, log_level="warning")


__all__ = ["create_app", "serve"]
