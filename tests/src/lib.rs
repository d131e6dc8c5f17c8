//! End-to-end tests across the softfido crates live in `tests/tests/`; the python-fido2 interop
//! suite lives in `tests/python/`.
