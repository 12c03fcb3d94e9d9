"""A lightweight Streamlit client: one browser tab's websocket protocol, without the browser.

It speaks what Streamlit's frontend speaks on ws://HOST:PORT/_stcore/stream (protobuf
`BackMsg` up, one `ForwardMsg` per binary frame down; streamlit 1.67), so a benchmark can hold
many sessions on one core and time the *server*:

    import asyncio
    from st_client import StreamlitClient

    async def main():
        async with StreamlitClient("http://127.0.0.1:8501", query_string="district=黄埔区") as c:
            first = await c.run_page()                  # what a browser does when the tab opens
            run = await c.set_widget("layer_parks", False)   # one widget change = one rerun
            print(run.latency_s, run.bytes, run.messages, run.errors)
            got = await c.download("sheet_xlsx")        # a download button, fetched over HTTP
            print(got.nbytes, got.generate_s, got.fetch_s)

    asyncio.run(main())

or, without asyncio, `run_session(url, [("district", "黄埔区"), ("layer_parks", False)])`.

What it does like the browser:

- after connecting it sends `rerun_script` with a `ClientState` (query string, empty page
  hash, `context_info`); every later rerun sends the value of every widget on the page, as the
  frontend's WidgetStateManager does (values it was told by the server, or set by the caller);
- widgets are found by their user key: Streamlit's element id ends with "-<key>", so nothing
  depends on labels (which may be translated) or on Streamlit's id hashing;
- it keeps cacheable messages and sends their hashes in `cached_message_hashes`, so the server
  answers with `ref_hash` references as it would to a browser (`cache_messages=False` turns
  this off, then each rerun receives every element in full);
- it follows `page_info_changed` (the app's `st.query_params` writes) into the next rerun;
- a download button with static data carries a `/media/...` URL; one with a callable (deferred)
  carries `deferred_file_id`, which is turned into a URL by a `backend_operation_request`
  BackMsg, as the frontend does on click; either URL is then fetched over HTTP.

What it does not do: run JavaScript, load components' iframes (the folium map's HTML arrives in
the component's delta and is counted, but Leaflet is not fetched), send component values back.

A widget drawn inside an `@st.fragment` reruns only its fragment, as in the browser (the
frontend sends the fragment's id, taken from the widget's delta); `RunResult.fragment` says so.

`RunResult` per rerun: `latency_s` (BackMsg sent -> `script_finished` received), `bytes`
(protobuf payload bytes of every frame received for the run; websocket frames are not
compressed unless the server enables `server.enableWebsocketCompression`), `messages`,
`status` and `errors` (exception elements, `st.error` alerts, compile errors, missing cached
messages). Errors are reported, never raised; timeouts and a lost connection raise
`ClientError`.
"""
from __future__ import annotations

import asyncio
import contextlib
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from typing import Any, Self

import websockets
from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ContextInfo
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

__all__ = ["ClientError", "Download", "RunResult", "StreamlitClient", "Widget", "run_session"]

# Element types that hold a widget value, and the WidgetState field the frontend sends for them.
VALUE_FIELDS = {"checkbox": "bool_value", "selectbox": "string_value", "radio": "string_value",
                "text_input": "string_value", "text_area": "string_value"}
DONE = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR,
        ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY}
STATUS_NAMES = {v: k for k, v in ForwardMsg.ScriptFinishedStatus.items()}


class ClientError(Exception):
    """The server did not answer in time, or the connection was lost."""


@dataclass
class Widget:
    id: str           # Streamlit's element id, "$$ID-<hash>-<key>"
    kind: str         # element type: "checkbox", "selectbox", ...
    label: str
    options: list[str]  # selectbox/radio options as shown (formatted); [] otherwise
    proto: Any        # the element's protobuf message, as last received
    fragment_id: str = ""  # set if the widget is drawn by an @st.fragment: it reruns only that


@dataclass
class RunResult:
    latency_s: float  # rerun BackMsg sent -> script_finished received
    bytes: int        # payload bytes received during the run
    messages: int     # ForwardMsgs received during the run
    cached_refs: int  # of those, ref_hash references resolved from the client's cache
    status: str       # script_finished status name
    fragment: bool    # a fragment rerun (a widget inside an @st.fragment), not a full one
    errors: list[str] = field(default_factory=list)


@dataclass
class Download:
    url: str
    nbytes: int
    generate_s: float  # deferred buttons: backend_operation_request -> response (0 if static)
    fetch_s: float     # HTTP GET of the /media/ URL
    content_type: str


class StreamlitClient:
    """One session. Use as `async with`, then `run_page()` once, then reruns and downloads."""

    def __init__(self, base_url: str, *, query_string: str = "", cache_messages: bool = True,
                 timeout_s: float = 60.0, locale: str = "zh-CN", timezone: str = "Asia/Shanghai"):
        self.base_url = base_url.rstrip("/")
        self.query_string = query_string.lstrip("?")
        self.cache_messages = cache_messages
        self.timeout_s = timeout_s
        self.context = ContextInfo(timezone=timezone, timezone_offset=-480, locale=locale,
                                   url=f"{self.base_url}/", is_embedded=False, color_scheme="light")
        self.session_id = ""
        self.page_script_hash = ""
        self.widgets: dict[str, Widget] = {}     # id -> widget on the page after the last run
        self.elements: dict[tuple, Any] = {}     # delta path -> Element of the current page
        self.total_bytes = 0
        self._values: dict[str, WidgetState] = {}  # id -> value sent on the next rerun
        self._cache: dict[str, list] = {}        # hash -> [message, run count when last used]
        self._runs = 0
        self._max_age = 2                          # new_session.config.max_cached_message_age
        self._ws = None
        self._reader: asyncio.Task | None = None
        self._run: dict | None = None            # counters of the run being waited for
        self._ops: dict[str, asyncio.Future] = {}

    # -- connection -------------------------------------------------------------------------
    async def __aenter__(self) -> Self:
        await self.connect()
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()

    async def connect(self) -> None:
        ws_url = "ws" + self.base_url.removeprefix("http") + "/_stcore/stream"
        # Like a browser: no client pings (the server pings; websockets answers), no size cap.
        self._ws = await asyncio.wait_for(
            websockets.connect(ws_url, subprotocols=["streamlit"], max_size=None, ping_interval=None,
                               open_timeout=self.timeout_s, origin=self.base_url),
            self.timeout_s)
        self._reader = asyncio.create_task(self._read())

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):  # closing anyway
                await self._reader
        self._ws = self._reader = None

    # -- reruns -----------------------------------------------------------------------------
    async def run_page(self) -> RunResult:
        """The first run, as when a tab opens (with the query string given to the constructor)."""
        return await self.rerun()

    async def rerun(self, query_string: str | None = None, fragment_id: str = "") -> RunResult:
        """Send rerun_script with the current widget values; wait for script_finished.

        With fragment_id, only that @st.fragment runs, as when the frontend reruns for a widget
        inside a fragment.
        """
        if query_string is not None:
            self.query_string = query_string.lstrip("?")
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = self.query_string
        state.page_script_hash = self.page_script_hash
        state.fragment_id = fragment_id
        state.context_info.CopyFrom(self.context)
        state.widget_states.widgets.extend(self._values.values())
        if self.cache_messages:
            state.cached_message_hashes.extend(self._cache)
        loop = asyncio.get_running_loop()
        self._run = {"done": loop.create_future(), "bytes": 0, "messages": 0, "refs": 0, "errors": [],
                     "seen": set(), "started": False, "fragment": bool(fragment_id)}
        t0 = time.perf_counter()
        await self._send(msg)
        try:
            status = await asyncio.wait_for(asyncio.shield(self._run["done"]), self.timeout_s)
        except TimeoutError:
            raise ClientError(f"no script_finished within {self.timeout_s:.0f} s") from None
        latency = time.perf_counter() - t0
        run, self._run = self._run, None
        # Like the frontend's ForwardMsgCache: forget messages not used for max_age runs.
        self._runs += 1
        for h in [h for h, (_, used) in self._cache.items() if self._runs - used > self._max_age]:
            del self._cache[h]
        if status in (ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR):
            # The frontend forgets widgets that were not drawn in a full run.
            for wid in set(self.widgets) - run["seen"]:
                self.widgets.pop(wid, None)
                self._values.pop(wid, None)
        return RunResult(latency, run["bytes"], run["messages"], run["refs"], STATUS_NAMES.get(status, str(status)),
                         bool(fragment_id), run["errors"])

    def widget(self, key: str) -> Widget:
        """The widget with this user key on the current page (KeyError if none)."""
        for wid, w in self.widgets.items():
            if wid.endswith(f"-{key}"):
                return w
        raise KeyError(f"no widget with key {key!r} on the page; keys: {sorted(self.widget_keys())}")

    def widget_keys(self) -> list[str]:
        """User keys of the widgets on the page ("None" for widgets without a key)."""
        return [wid.rsplit("-", 1)[-1] for wid in self.widgets]

    def set(self, key: str, value: Any) -> None:
        """Change a widget's value for the next rerun (like a user, before the rerun is sent).

        checkbox/toggle: bool; selectbox/radio: the option as shown (see Widget.options) or its
        index; text_input/text_area: str.
        """
        w = self.widget(key)
        if w.kind in ("selectbox", "radio") and isinstance(value, int):
            value = w.options[value]
        self._values[w.id] = _state(w.id, VALUE_FIELDS[w.kind], value)

    async def set_widget(self, key: str, value: Any) -> RunResult:
        """`set` and rerun: what one user interaction costs (a fragment rerun for a widget in one)."""
        self.set(key, value)
        return await self.rerun(fragment_id=self.widget(key).fragment_id)

    def value(self, key: str) -> Any:
        """The value the next rerun will send for this widget (None if it has none)."""
        w = self.widget(key)
        state = self._values.get(w.id)
        return None if state is None else getattr(state, state.WhichOneof("value"))

    # -- downloads --------------------------------------------------------------------------
    def download_keys(self) -> list[str]:
        return [el.download_button.id.rsplit("-", 1)[-1] for el in self.elements.values()
                if el.WhichOneof("type") == "download_button"]

    async def download(self, key: str) -> Download:
        """Press a download button: get its /media/ URL (asking the server for a deferred one), GET it."""
        button = next((el.download_button for el in self.elements.values()
                       if el.WhichOneof("type") == "download_button" and el.download_button.id.endswith(f"-{key}")),
                      None)
        if button is None:
            raise KeyError(f"no download button with key {key!r}; keys: {self.download_keys()}")
        t0 = time.perf_counter()
        url = button.url
        if not url and button.deferred_file_id:
            url = await self._deferred_url(button.deferred_file_id)
        t1 = time.perf_counter()
        if not url:
            raise ClientError(f"download button {key!r} has no URL")
        full = urllib.parse.urljoin(self.base_url + "/", url)
        nbytes, ctype = await asyncio.to_thread(_http_get, full, self.timeout_s)
        return Download(url, nbytes, t1 - t0, time.perf_counter() - t1, ctype)

    async def _deferred_url(self, file_id: str) -> str:
        msg = BackMsg()
        req = msg.backend_operation_request
        req.request_id = uuid.uuid4().hex
        req.session_id = self.session_id
        req.deferred_file.file_id = file_id
        future = asyncio.get_running_loop().create_future()
        self._ops[req.request_id] = future
        await self._send(msg)
        try:
            response = await asyncio.wait_for(future, self.timeout_s)
        except TimeoutError:
            raise ClientError(f"no backend_operation_response within {self.timeout_s:.0f} s") from None
        finally:
            self._ops.pop(req.request_id, None)
        if response.error_msg:
            raise ClientError(f"deferred download failed: {response.error_msg}")
        return response.deferred_file.url

    # -- the wire ---------------------------------------------------------------------------
    async def _send(self, msg: BackMsg) -> None:
        if self._ws is None:
            raise ClientError("not connected")
        try:
            await self._ws.send(msg.SerializeToString())
        except websockets.ConnectionClosed as err:
            raise ClientError(f"connection closed: {err}") from None

    async def _read(self) -> None:
        try:
            async for frame in self._ws:
                if isinstance(frame, str):
                    continue
                self.total_bytes += len(frame)
                msg = ForwardMsg()
                msg.ParseFromString(frame)
                if self._run is not None:
                    self._run["bytes"] += len(frame)
                    self._run["messages"] += 1
                self._handle(msg)
        except websockets.ConnectionClosed as err:
            self._fail(ClientError(f"connection closed: {err}"))
        except Exception as err:  # noqa: BLE001 - a broken frame fails the waiting caller
            self._fail(ClientError(f"reading failed: {err!r}"))
        else:
            self._fail(ClientError("connection closed by the server"))

    def _fail(self, err: ClientError) -> None:
        for future in [self._run["done"]] if self._run else []:
            if not future.done():
                future.set_exception(err)
        for future in self._ops.values():
            if not future.done():
                future.set_exception(err)

    def _handle(self, msg: ForwardMsg) -> None:
        kind = msg.WhichOneof("type")
        if kind == "ref_hash":
            cached = self._cache.get(msg.ref_hash)
            if cached is None:
                self._error(f"server referred to a message not in the cache ({msg.ref_hash})")
                return
            if self._run is not None:
                self._run["refs"] += 1
            full = ForwardMsg()
            full.CopyFrom(cached[0])
            full.metadata.CopyFrom(msg.metadata)
            cached[1] = self._runs
            msg, kind = full, cached[0].WhichOneof("type")
        elif self.cache_messages and msg.metadata.cacheable and msg.hash:
            self._cache[msg.hash] = [msg, self._runs]
        if kind == "new_session":
            if msg.new_session.HasField("initialize"):
                self.session_id = msg.new_session.initialize.session_id
            self.page_script_hash = msg.new_session.page_script_hash
            self._max_age = msg.new_session.config.max_cached_message_age or self._max_age
            if not (self._run and self._run["fragment"]):  # a fragment run redraws only its part
                self.elements = {}
            if self._run is not None:
                self._run["started"] = True
        elif kind == "delta":
            self._delta(msg)
        elif kind == "page_info_changed":
            self.query_string = msg.page_info_changed.query_string
        elif kind == "session_event":
            if msg.session_event.HasField("script_compilation_exception"):
                exc = msg.session_event.script_compilation_exception
                self._error(f"compile error: {exc.type}: {exc.message}")
        elif kind == "script_finished":
            run = self._run
            if run is not None and run["started"] and msg.script_finished in DONE and not run["done"].done():
                run["done"].set_result(msg.script_finished)
        elif kind == "backend_operation_response":
            future = self._ops.get(msg.backend_operation_response.request_id)
            if future is not None and not future.done():
                future.set_result(msg.backend_operation_response)

    def _delta(self, msg: ForwardMsg) -> None:
        delta = msg.delta
        if delta.WhichOneof("type") != "new_element":
            return
        element = delta.new_element
        self.elements[tuple(msg.metadata.delta_path)] = element
        etype = element.WhichOneof("type")
        if etype == "exception":
            self._error(f"exception: {element.exception.type}: {element.exception.message}")
        elif etype == "alert" and element.alert.format == Alert.ERROR:
            self._error(f"st.error: {element.alert.body}")
        elif etype in VALUE_FIELDS:
            proto = getattr(element, etype)
            options = list(proto.options) if etype in ("selectbox", "radio") else []
            self.widgets[proto.id] = Widget(proto.id, etype, proto.label, options, proto, delta.fragment_id)
            if self._run is not None:
                self._run["seen"].add(proto.id)
            if proto.id not in self._values or proto.set_value:
                value = _initial_value(etype, proto, options)
                if value is None:
                    self._values.pop(proto.id, None)
                else:
                    self._values[proto.id] = _state(proto.id, VALUE_FIELDS[etype], value)

    def _error(self, text: str) -> None:
        if self._run is not None:
            self._run["errors"].append(text)


def _initial_value(etype: str, proto, options: list[str]) -> Any:
    """The value the frontend starts a widget with: the server's if it set one, else the default."""
    if etype == "checkbox":
        return proto.value if proto.set_value else proto.default
    if etype in ("selectbox", "radio"):
        if proto.set_value and proto.HasField("raw_value"):
            return proto.raw_value
        return options[proto.default] if proto.HasField("default") and proto.default < len(options) else None
    if etype in ("text_input", "text_area"):
        if proto.set_value and proto.HasField("value"):
            return proto.value
        return proto.default if proto.HasField("default") else None
    return None


def _state(wid: str, field_name: str, value: Any) -> WidgetState:
    state = WidgetState(id=wid)
    setattr(state, field_name, value)
    return state


def _http_get(url: str, timeout_s: float) -> tuple[int, str]:
    try:
        resp = urllib.request.urlopen(url, timeout=timeout_s)
    except urllib.error.HTTPError as err:
        raise ClientError(f"GET {urllib.parse.urlsplit(url).path}: HTTP {err.code}") from None
    with resp:
        if resp.status != 200:
            raise ClientError(f"GET {url}: HTTP {resp.status}")
        n = 0
        while chunk := resp.read(1 << 16):
            n += len(chunk)
        return n, resp.headers.get("Content-Type", "")


def run_session(base_url: str, changes: list[tuple[str, Any]], *, query_string: str = "",
                cache_messages: bool = True) -> list[RunResult]:
    """Synchronous helper: open one session, load the page, then one rerun per (widget key, value).

    Returns the first run's result followed by one per change, e.g. for bench/run.py:

        first, district, layer = run_session(url, [("district", "黄埔区"), ("layer_parks", False)])
        print(district.latency_s, district.bytes)
    """
    async def go() -> list[RunResult]:
        async with StreamlitClient(base_url, query_string=query_string, cache_messages=cache_messages) as c:
            results = [await c.run_page()]
            for key, value in changes:
                results.append(await c.set_widget(key, value))
            return results
    return asyncio.run(go())
