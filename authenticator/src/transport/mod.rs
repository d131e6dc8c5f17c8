//! I/O adapters: they move bytes between a wire and a [`CtapDevice`](crate::ctap2::CtapDevice), and
//! hold no protocol logic of their own (CTAPHID framing lives in [`crate::hid`]).

pub mod udp;
