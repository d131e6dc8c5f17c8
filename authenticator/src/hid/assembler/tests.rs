//! CTAP 2.1 §11.2.4 and §11.2.5: multi-packet messages, sequencing and timeouts.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::super::MAX_MESSAGE_LEN;
use crate::hid::test_support::*;

fn bytes(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 % 256) as u8).collect()
}

#[test]
fn a_fragmented_request_is_dispatched_whole() {
    let mut bench = Bench::new();
    let cid = bench.open();
    let payload = bytes(200);
    let mut outputs = Vec::new();
    for report in frames(cid, CBOR, &payload) {
        assert!(outputs.is_empty(), "nothing happens before the last packet");
        outputs = bench.feed(report);
    }
    let (_, from, request) = dispatched(&outputs);
    assert_eq!((from, request), (cid, payload));
}

#[test]
fn the_largest_ping_is_echoed() {
    let mut bench = Bench::new();
    let cid = bench.open();
    let payload = bytes(MAX_MESSAGE_LEN);
    let outputs = bench.request(cid, PING, &payload);
    let Some(Output::Send { reports, .. }) = outputs.first() else { panic!("{outputs:?}") };
    assert_eq!(reports.len(), 129);
    assert_eq!(answer(&outputs), Answer { cid, cmd: PING, payload });
}

#[test]
fn a_length_beyond_the_largest_message_is_refused() {
    let mut bench = Bench::new();
    let cid = bench.open();
    let too_long = MAX_MESSAGE_LEN as u16 + 1;
    assert_error(&bench.feed(init_packet(cid, PING, too_long, &[0; 57])), cid, ERR_INVALID_LEN);
    assert_error(&bench.feed(init_packet(cid, CBOR, u16::MAX, &[0; 57])), cid, ERR_INVALID_LEN);
    assert!(bench.answers_ping(cid));
}

#[test]
fn a_wrong_sequence_number_drops_the_message() {
    let mut bench = Bench::new();
    let cid = bench.open();
    let train = frames(cid, CBOR, &bytes(150));
    assert!(bench.feed(train[0]).is_empty());
    assert_error(&bench.feed(cont_packet(cid, 1, &[0; 59])), cid, ERR_INVALID_SEQ);
    // The rest of the abandoned message is spurious now.
    assert!(bench.feed(train[1]).is_empty());
    assert!(bench.feed(train[2]).is_empty());
    assert!(bench.answers_ping(cid));
}

#[test]
fn a_repeated_sequence_number_drops_the_message() {
    let mut bench = Bench::new();
    let cid = bench.open();
    let train = frames(cid, PING, &bytes(150));
    bench.feed(train[0]);
    bench.feed(train[1]);
    assert_error(&bench.feed(train[1]), cid, ERR_INVALID_SEQ);
}

#[test]
fn a_continuation_without_a_message_is_ignored() {
    let mut bench = Bench::new();
    let cid = bench.open();
    assert!(bench.feed(cont_packet(cid, 0, &[1; 59])).is_empty());
    assert!(bench.feed(cont_packet(0x5555_5555, 3, &[1; 59])).is_empty());
    assert!(bench.feed(cont_packet(BROADCAST_CID, 0, &[1; 59])).is_empty());
    assert!(bench.answers_ping(cid));
}

#[test]
fn a_new_request_mid_message_is_a_sequence_error() {
    let mut bench = Bench::new();
    let cid = bench.open();
    bench.feed(frames(cid, CBOR, &bytes(100))[0]);
    assert_error(&bench.feed(init_packet(cid, PING, 1, &[1])), cid, ERR_INVALID_SEQ);
    assert!(bench.feed(cont_packet(cid, 0, &[1; 59])).is_empty(), "the message was dropped");
    assert!(bench.answers_ping(cid));
}

#[test]
fn init_mid_message_resynchronises_the_channel() {
    let mut bench = Bench::new();
    let cid = bench.open();
    bench.feed(frames(cid, CBOR, &bytes(100))[0]);
    let reply = answer(&bench.request(cid, INIT, &NONCE));
    assert_eq!((reply.cid, reply.cmd, &reply.payload[8..12]), (cid, INIT, &cid.to_be_bytes()[..]));
    assert!(bench.feed(cont_packet(cid, 0, &[1; 59])).is_empty(), "the partial message is gone");
    assert!(bench.answers_ping(cid));
}

#[test]
fn cancel_mid_message_is_ignored() {
    let mut bench = Bench::new();
    let cid = bench.open();
    let train = frames(cid, CBOR, &bytes(100));
    bench.feed(train[0]);
    assert!(bench.feed(init_packet(cid, CANCEL, 0, &[])).is_empty());
    let (_, _, payload) = dispatched(&bench.feed(train[1]));
    assert_eq!(payload, bytes(100));
}

#[test]
fn another_channel_is_busy_while_a_message_arrives() {
    let mut bench = Bench::new();
    let [a, b] = [bench.open(), bench.open()];
    let train = frames(a, PING, &bytes(130));
    bench.feed(train[0]);
    assert_error(&bench.feed(init_packet(b, PING, 1, &[1])), b, ERR_CHANNEL_BUSY);
    assert_error(&bench.request(BROADCAST_CID, INIT, &NONCE), BROADCAST_CID, ERR_CHANNEL_BUSY);
    bench.feed(train[1]);
    assert_eq!(answer(&bench.feed(train[2])), Answer { cid: a, cmd: PING, payload: bytes(130) });
    assert!(bench.answers_ping(b));
}

#[test]
fn interleaved_channels_do_not_mix() {
    let mut bench = Bench::new();
    let [a, b] = [bench.open(), bench.open()];
    let from_a = frames(a, CBOR, &[0xaa; 120]);
    let from_b = frames(b, CBOR, &[0xbb; 120]);
    assert!(bench.feed(from_a[0]).is_empty());
    assert_error(&bench.feed(from_b[0]), b, ERR_CHANNEL_BUSY);
    assert!(bench.feed(from_a[1]).is_empty());
    assert!(bench.feed(from_b[1]).is_empty(), "b's continuation continues nothing");
    let (request, cid, payload) = dispatched(&bench.feed(from_a[2]));
    assert_eq!((cid, payload), (a, vec![0xaa; 120]));
    assert!(bench.feed(from_b[2]).is_empty());
    bench.hid.complete(request, &[0]);
    let (_, cid, payload) = dispatched(&bench.request(b, CBOR, &[0xbb; 120]));
    assert_eq!((cid, payload), (b, vec![0xbb; 120]));
}

#[test]
fn a_stalled_message_times_out_on_tick() {
    let mut bench = Bench::new();
    let cid = bench.open();
    bench.feed(frames(cid, CBOR, &bytes(100))[0]);
    let timeout = bench.timeout();
    assert_eq!(bench.hid.next_deadline(), Some(bench.now + timeout));
    bench.advance(timeout - Duration::from_millis(1));
    assert!(bench.tick().is_empty());
    bench.advance(Duration::from_millis(1));
    assert_error(&bench.tick(), cid, ERR_MSG_TIMEOUT);
    assert!(bench.tick().is_empty(), "reported once");
    assert_eq!(bench.hid.next_deadline(), None);
    assert!(bench.feed(cont_packet(cid, 0, &[0; 59])).is_empty(), "the message was dropped");
}

#[test]
fn a_stalled_message_times_out_on_the_next_packet() {
    let mut bench = Bench::new();
    let [a, b] = [bench.open(), bench.open()];
    bench.feed(frames(a, CBOR, &bytes(100))[0]);
    bench.advance(bench.timeout() * 2);
    let outputs = bench.feed(init_packet(b, PING, 2, b"hi"));
    assert_eq!(outputs.len(), 2, "{outputs:?}");
    assert_error(&outputs[..1], a, ERR_MSG_TIMEOUT);
    assert_eq!(answer(&outputs[1..]), Answer { cid: b, cmd: PING, payload: b"hi".to_vec() });
}

#[test]
fn the_timeout_runs_from_the_last_packet() {
    let mut bench = Bench::new();
    let cid = bench.open();
    let step = bench.timeout() * 2 / 3;
    let train = frames(cid, PING, &bytes(300));
    let mut outputs = Vec::new();
    for report in train {
        bench.advance(step);
        assert!(bench.tick().is_empty());
        outputs = bench.feed(report);
    }
    assert_eq!(answer(&outputs).payload, bytes(300));
}
