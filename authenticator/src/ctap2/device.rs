//! The device port: what a transport ([`crate::transport`]) drives.

use crate::signals::Signals;

/// The port a transport drives: a device that answers CTAP requests. The behaviour defines it
/// and transports depend on it, never the reverse.
///
/// Implemented by [`crate::Authenticator`]; tests may substitute a scripted device.
pub trait CtapDevice: Send {
    /// Answers one CTAP2 request (command byte followed by CBOR parameters) with a status byte
    /// followed by the CBOR response. Never panics on any input.
    fn process_cbor(&mut self, request: &[u8], signals: &Signals) -> Vec<u8>;

    /// Answers one CTAP1/U2F APDU, or `None` when the device does not speak CTAP1
    /// (the transport then answers ERR_INVALID_CMD and advertises NMSG).
    fn process_msg(&mut self, apdu: &[u8], signals: &Signals) -> Option<Vec<u8>>;

    /// Whether [`CtapDevice::process_msg`] is supported.
    fn supports_msg(&self) -> bool;

    /// Whether [`CtapDevice::process_cbor`] is offered: a U2F-only device answers CTAPHID_CBOR
    /// with ERR_INVALID_CMD and leaves the CBOR capability out of CTAPHID_INIT.
    fn supports_cbor(&self) -> bool;

    /// Simulates unplugging and plugging in: drops volatile state, keeps persistent state.
    fn power_cycle(&mut self);

    /// CTAPHID_WINK: identify the device to the user (logged).
    fn wink(&mut self);
}
