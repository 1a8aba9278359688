"""The truthound:quality component under wasmtime: loading, one sandboxed store per job, calls.

The component is compiled once per machine and cached (`TRUTHOUND_CACHE`, default
`~/.cache/truthound-kestra/python`), so a process deserialises native code (tens of ms) instead of
compiling WebAssembly (seconds). Each job gets a fresh `Store` with a memory limit and an epoch
deadline, like the CLI's `Session`: after a trap an instance is poisoned, and `timeout_seconds`
is enforced.
"""

from __future__ import annotations

import ctypes
import hashlib
import math
import time
import importlib.metadata
import os
import threading
from ctypes import byref, pointer
from importlib import resources
from pathlib import Path
from typing import Any, Callable

import wasmtime
from wasmtime import _ffi as ffi
from wasmtime import component
from wasmtime.component import Record, ResultType, Variant
from wasmtime.component._enter import enter_wasm

from .utils.exceptions import ConfigurationError, DataQualityError, EngineError, ScriptError

#: The WIT package version of the interfaces exported by the bundled component.
WIT_VERSION = "0.1.0"
#: Interval of the epoch ticker that enforces `timeout_seconds`.
EPOCH_TICK_SECONDS = 0.1
#: Memory a job may use, as the CLI's default `--memory-limit-mb`.
DEFAULT_MEMORY_BYTES = 3 << 30

_VAL = ffi.wasmtime_component_val_t
_VAL_SIZE = ctypes.sizeof(_VAL)
_PAYLOAD_OFFSET = _VAL.of.offset
_U8_KIND = ffi.WASMTIME_COMPONENT_U8.value


def wasm_path() -> Path:
    """The bundled component (`engine.wasm`), or `TRUTHOUND_KESTRA_WASM` when set."""
    override = os.environ.get("TRUTHOUND_KESTRA_WASM")
    path = Path(override) if override else Path(str(resources.files("truthound_kestra") / "engine.wasm"))
    if not path.is_file():
        raise ConfigurationError(
            f"the engine component is missing at {path}: build the package with scripts/python-wheel",
            field="TRUTHOUND_KESTRA_WASM" if override else None,
        )
    return path


def cache_dir() -> Path:
    """Where compiled components are kept: `${TRUTHOUND_CACHE:-~/.cache/truthound-kestra}/python`."""
    root = os.environ.get("TRUTHOUND_CACHE") or os.path.join(os.path.expanduser("~"), ".cache", "truthound-kestra")
    return Path(root) / "python"


class Runtime:
    """One wasmtime engine and the compiled component; hands out sandboxed sessions."""

    def __init__(self, wasm: Path | None = None) -> None:
        config = wasmtime.Config()
        config.epoch_interruption = True
        self.engine = wasmtime.Engine(config)
        self.component = self._load(wasm or wasm_path())
        self.linker = component.Linker(self.engine)
        self.linker.add_wasip2()
        # One ticker per engine, as in the CLI: the epoch is engine-wide, each store's deadline
        # counts ticks, so concurrent sessions keep their own timeouts.
        threading.Thread(target=self._tick, name="truthound-epoch", daemon=True).start()

    def _tick(self) -> None:
        while True:
            time.sleep(EPOCH_TICK_SECONDS)
            self.engine.increment_epoch()

    def _load(self, wasm: Path) -> component.Component:
        data = wasm.read_bytes()
        # Compiled code only loads into the wasmtime that made it: the version is part of the key.
        key = hashlib.sha256(data + importlib.metadata.version("wasmtime").encode()).hexdigest()[:24]
        cached = cache_dir() / f"engine-{key}.cwasm"
        if cached.is_file():
            try:
                # Safe: only files this module wrote are under this name (content-addressed).
                return component.Component.deserialize_file(self.engine, str(cached))
            except wasmtime.WasmtimeError:
                cached.unlink(missing_ok=True)
        compiled = component.Component(self.engine, data)
        try:
            cached.parent.mkdir(parents=True, exist_ok=True)
            partial = cached.with_suffix(f".{os.getpid()}.tmp")
            partial.write_bytes(compiled.serialize())
            partial.replace(cached)
        except OSError:
            pass  # A read-only cache only costs the next process a compilation.
        return compiled

    def session(self, timeout_seconds: float = 300.0, memory_bytes: int = DEFAULT_MEMORY_BYTES) -> "Session":
        """A fresh store and instance with no files, network or environment, and these limits."""
        return Session(self, timeout_seconds, memory_bytes)


_RUNTIME: Runtime | None = None
_RUNTIME_LOCK = threading.Lock()


def runtime() -> Runtime:
    """The process-wide runtime, created on first use."""
    global _RUNTIME
    with _RUNTIME_LOCK:
        if _RUNTIME is None:
            _RUNTIME = Runtime()
        return _RUNTIME


class Session:
    """One job's store and component instance."""

    def __init__(self, rt: Runtime, timeout_seconds: float, memory_bytes: int) -> None:
        if not timeout_seconds > 0:
            raise ConfigurationError("timeout_seconds must be above 0", field="timeout_seconds", value=timeout_seconds)
        self.store = wasmtime.Store(rt.engine)
        self.store.set_limits(memory_size=memory_bytes)
        self.stderr: list[bytes] = []
        wasi = wasmtime.WasiConfig()
        wasi.stderr_custom = self.stderr.append
        self.store.set_wasi(wasi)
        self.store.set_epoch_deadline(max(1, math.ceil(timeout_seconds / EPOCH_TICK_SECONDS)))
        self.timeout_seconds = timeout_seconds
        self.instance = rt.linker.instantiate(self.store, rt.component)
        self._functions: dict[tuple[str, str], component.Func] = {}

    def close(self) -> None:
        """Releases the store."""
        self._functions.clear()

    def __enter__(self) -> "Session":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def function(self, interface: str, name: str) -> component.Func:
        """The export `name` of `truthound:quality/<interface>`."""
        key = (interface, name)
        if key not in self._functions:
            outer = self.instance.get_export_index(self.store, f"truthound:quality/{interface}@{WIT_VERSION}")
            index = outer and self.instance.get_export_index(self.store, name, outer)
            func = index and self.instance.get_func(self.store, index)
            if func is None:
                raise EngineError(f"the component has no export {interface}.{name}", operation=name)
            self._functions[key] = func
        return self._functions[key]

    def call(self, interface: str, name: str, *params: Any) -> Any:
        """Calls an export; `result` errors raise the matching exception, traps an `EngineError`."""
        func = self.function(interface, name)
        ftype = func.type(self.store)
        values = (_VAL * len(params))()
        lowered = 0
        try:
            for (_, value_type), value in zip(ftype.params, params):
                if isinstance(value, (bytes, bytearray, memoryview)):
                    _lower_bytes(value, pointer(values[lowered]))
                else:
                    value_type.convert_to_c(self.store, value, pointer(values[lowered]))
                lowered += 1
            space = _VAL()
            has_result = ftype.result is not None
            try:
                enter_wasm(
                    lambda: ffi.wasmtime_component_func_call(
                        byref(func._func), self.store._context(), values, lowered, byref(space) if has_result else None,
                        1 if has_result else 0,
                    )
                )
            except wasmtime.WasmtimeError as trap:
                raise self._trap_error(name, trap) from None
            if not has_result:
                return None
            return _unwrap(ftype.result, ftype.result.convert_from_c(space), name)
        finally:
            for i in range(lowered):
                ffi.wasmtime_component_val_delete(byref(values[i]))

    def _trap_error(self, name: str, trap: Exception) -> DataQualityError:
        text = str(trap)
        if "interrupt" in text:
            return EngineError(f"the engine ran past timeout_seconds={self.timeout_seconds:g}", operation=name)
        detail = b"".join(self.stderr).decode("utf-8", "replace").strip() or text.splitlines()[0]
        return EngineError(f"the engine failed in {name}: {detail}", operation=name)


class _ByteImage:
    """A reusable image of a `wasmtime_component_val_t` vector whose values are all `u8`.

    wasmtime-py's generic lowering converts each byte through ctypes (about 0.4 MB/s). The C API
    only takes a vector of tagged 32-byte values, so this keeps one such vector with every tag
    set and, per call, writes the payload bytes with one strided copy and hands the vector over
    with one `memcpy` (`wasmtime_component_vallist_new`).
    """

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._lock = threading.Lock()

    def lower(self, data: bytes | bytearray | memoryview, slot: "ctypes._Pointer[Any]") -> None:
        count = len(data)
        raw = ffi.wasmtime_component_vallist_t()
        with self._lock:
            if len(self._buffer) < count * _VAL_SIZE:
                self._buffer = bytearray(count * _VAL_SIZE)
                self._buffer[0::_VAL_SIZE] = bytes((_U8_KIND,)) * count
            self._buffer[_PAYLOAD_OFFSET:count * _VAL_SIZE:_VAL_SIZE] = data
            if count:
                ffi.wasmtime_component_vallist_new(raw, count, (_VAL * count).from_buffer(self._buffer))
            else:
                ffi.wasmtime_component_vallist_new_empty(raw)
        slot.contents.kind = ffi.WASMTIME_COMPONENT_LIST
        slot.contents.of.list = raw


_lower_bytes = _ByteImage().lower


def _unwrap(result_type: Any, value: Any, name: str) -> Any:
    """The `ok` of a WIT `result`, or the matching exception for its `quality-error`."""
    if not isinstance(result_type, ResultType):
        return value
    if isinstance(value, Variant):
        if value.tag == "ok":
            return value.payload
        raise quality_error(value.payload, name)
    if isinstance(value, Record) and not isinstance(result_type.ok, component.RecordType):
        raise quality_error(value, name)
    return value


def quality_error(error: Record, operation: str) -> DataQualityError:
    """The seed's exception for a component `quality-error` (kinds map like the CLI's exit codes)."""
    kind, message = getattr(error, "kind"), getattr(error, "message")
    if kind in ("rule-document", "unknown-column", "options", "state"):
        return ConfigurationError(message, field=operation, reason=kind)
    if kind == "data":
        return ScriptError(message, script_name=operation)
    return EngineError(message, operation=operation)


def record(**fields: Any) -> Record:
    """A WIT record from snake_case keyword arguments."""
    value = Record()
    for key, field_value in fields.items():
        setattr(value, key.replace("_", "-"), field_value)
    return value


def plain(value: Any) -> Any:
    """WIT values as plain Python: records become dicts with snake_case keys, recursively."""
    if isinstance(value, Record):
        return {key.replace("-", "_"): plain(item) for key, item in vars(value).items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    if isinstance(value, Variant):
        return {"tag": value.tag, "payload": plain(value.payload)}
    return value


def with_session(timeout_seconds: float, job: Callable[[Session], Any]) -> Any:
    """Runs `job` in a fresh session of the process runtime and closes it."""
    with runtime().session(timeout_seconds) as session:
        return job(session)
