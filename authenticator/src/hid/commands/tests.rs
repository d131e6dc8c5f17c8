//! CTAP 2.1 §11.2.9: what each command answers.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::super::{HidCommand, MAX_MESSAGE_LEN};
use crate::hid::test_support::*;

#[test]
fn ping_echoes_its_payload() {
    let mut bench = Bench::new();
    let cid = bench.open();
    for payload in [vec![], b"hello".to_vec(), vec![0x42; 1000]] {
        assert_eq!(answer(&bench.request(cid, PING, &payload)), Answer { cid, cmd: PING, payload });
    }
}

#[test]
fn wink_answers_empty_and_asks_for_a_wink() {
    let mut bench = Bench::new();
    let cid = bench.open();
    let outputs = bench.request(cid, WINK, &[]);
    assert_eq!(answer(&outputs), Answer { cid, cmd: WINK, payload: vec![] });
    assert!(outputs.contains(&Output::Wink { cid }));
}

#[test]
fn msg_without_ctap1_is_an_invalid_command() {
    let mut bench = Bench::new();
    let cid = bench.open();
    assert_error(&bench.request(cid, MSG, &[0x00, 0x03, 0x00, 0x00]), cid, ERR_INVALID_CMD);
}

#[test]
fn cbor_on_a_u2f_only_device_is_an_invalid_command_and_msg_still_works() {
    let mut bench =
        Bench::with(HidConfig { supports_msg: true, supports_cbor: false, ..HidConfig::default() });
    let cid = bench.open();
    assert_error(&bench.request(cid, CBOR, &[0x04]), cid, ERR_INVALID_CMD);
    let outputs = bench.request(cid, MSG, &[0x00, 0x03, 0x00, 0x00]);
    assert!(matches!(outputs[..], [Output::Dispatch { command: HidCommand::Msg, .. }]), "{outputs:?}");
}

#[test]
fn msg_with_ctap1_is_dispatched_and_answered_as_msg() {
    let mut bench = Bench::with(HidConfig { supports_msg: true, ..HidConfig::default() });
    let cid = bench.open();
    let apdu = [0x00, 0x03, 0x00, 0x00];
    let outputs = bench.request(cid, MSG, &apdu);
    assert!(matches!(outputs[..], [Output::Dispatch { command: HidCommand::Msg, .. }]), "{outputs:?}");
    let (request, _, payload) = dispatched(&outputs);
    assert_eq!(payload, apdu);
    let reply = decode(&bench.hid.complete(request, b"U2F_V2\x90\x00"));
    assert_eq!(reply, Answer { cid, cmd: MSG, payload: b"U2F_V2\x90\x00".to_vec() });
}

#[test]
fn an_empty_cbor_request_is_an_invalid_length() {
    let mut bench = Bench::new();
    let cid = bench.open();
    assert_error(&bench.request(cid, CBOR, &[]), cid, ERR_INVALID_LEN);
    assert!(bench.answers_ping(cid), "and the channel is not left busy");
}

#[test]
fn cbor_is_dispatched_and_its_answer_fragmented() {
    let mut bench = Bench::new();
    let cid = bench.open();
    let outputs = bench.request(cid, CBOR, &[0x04]);
    assert!(matches!(outputs[..], [Output::Dispatch { command: HidCommand::Cbor, .. }]), "{outputs:?}");
    let (request, _, payload) = dispatched(&outputs);
    assert_eq!(payload, [0x04]);
    assert!(bench.hid.is_pending(request));
    let response: Vec<u8> = (0..300).map(|i| i as u8).collect();
    let reports = bench.hid.complete(request, &response);
    assert_eq!(reports.len(), 6);
    assert_eq!(decode(&reports), Answer { cid, cmd: CBOR, payload: response });
    assert!(!bench.hid.is_pending(request));
    assert!(bench.hid.complete(request, &[0]).is_empty(), "a request is answered once");
    assert!(bench.answers_ping(cid), "the device is free again");
}

#[test]
fn an_answer_too_long_to_send_becomes_err_other() {
    let mut bench = Bench::new();
    let cid = bench.open();
    let (request, _, _) = dispatched(&bench.request(cid, CBOR, &[0x04]));
    let reports = bench.hid.complete(request, &vec![0; MAX_MESSAGE_LEN + 1]);
    assert_eq!(decode(&reports), Answer { cid, cmd: ERROR, payload: vec![ERR_OTHER] });
}

#[test]
fn unknown_and_device_only_commands_are_invalid() {
    let mut bench = Bench::new();
    let cid = bench.open();
    for cmd in [0x00, 0x02, 0x05, 0x12, KEEPALIVE, ERROR, 0x40, 0x55, 0x7f] {
        assert_error(&bench.request(cid, cmd, &[1]), cid, ERR_INVALID_CMD);
    }
}

#[test]
fn lock_takes_one_byte_of_at_most_ten_seconds() {
    let mut bench = Bench::new();
    let cid = bench.open();
    assert_error(&bench.request(cid, LOCK, &[]), cid, ERR_INVALID_LEN);
    assert_error(&bench.request(cid, LOCK, &[1, 2]), cid, ERR_INVALID_LEN);
    assert_error(&bench.request(cid, LOCK, &[11]), cid, ERR_INVALID_PAR);
    assert_error(&bench.request(cid, LOCK, &[0xff]), cid, ERR_INVALID_PAR);
    assert_eq!(answer(&bench.request(cid, LOCK, &[10])), Answer { cid, cmd: LOCK, payload: vec![] });
}

#[test]
fn a_lock_keeps_other_channels_out_until_it_expires() {
    let mut bench = Bench::new();
    let [owner, other] = [bench.open(), bench.open()];
    assert_eq!(answer(&bench.request(owner, LOCK, &[2])).cmd, LOCK);
    assert_error(&bench.ping(other), other, ERR_CHANNEL_BUSY);
    assert_error(&bench.request(BROADCAST_CID, INIT, &NONCE), BROADCAST_CID, ERR_CHANNEL_BUSY);
    assert!(bench.answers_ping(owner));
    assert_eq!(bench.hid.next_deadline(), Some(bench.now + Duration::from_secs(2)));
    bench.advance(Duration::from_millis(1999));
    assert_error(&bench.ping(other), other, ERR_CHANNEL_BUSY);
    bench.advance(Duration::from_millis(1));
    assert!(bench.tick().is_empty());
    assert!(bench.answers_ping(other));
}

#[test]
fn lock_zero_releases_the_lock() {
    let mut bench = Bench::new();
    let [owner, other] = [bench.open(), bench.open()];
    bench.request(owner, LOCK, &[10]);
    assert_eq!(answer(&bench.request(owner, LOCK, &[0])), Answer { cid: owner, cmd: LOCK, payload: vec![] });
    assert!(bench.answers_ping(other));
}

#[test]
fn a_power_cycle_releases_the_lock() {
    let mut bench = Bench::new();
    let [owner, other] = [bench.open(), bench.open()];
    bench.request(owner, LOCK, &[10]);
    bench.hid.power_cycle();
    assert!(bench.answers_ping(other));
}
