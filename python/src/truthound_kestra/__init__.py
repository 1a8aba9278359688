"""truthound-kestra: data-quality checks for Kestra Python script tasks, on the
`truthound:quality` WebAssembly engine (run by wasmtime; data read with pyarrow).

Modules mirror the original package: `scripts` (check, profile, learn), `flows` (Kestra flow
generation), `outputs` (Kestra protocol lines), `sla` (SLA monitoring), `utils` (data loading,
execution context, exceptions, serialization).
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("truthound-kestra")
except PackageNotFoundError:  # running from a source tree
    __version__ = "0+source"
