//! CTAP 2.1 §11.2.5 and §11.2.9.1.5: a pending request keeps the device busy; CANCEL, INIT and
//! power cycles end it.

use super::*;

/// A device with two channels, the first waiting for the answer to a CBOR request.
fn busy() -> (Bench, u32, u32, RequestId) {
    let mut bench = Bench::new();
    let [a, b] = [bench.open(), bench.open()];
    let (request, _, _) = dispatched(&bench.request(a, CBOR, &[0x01, 0xa0]));
    (bench, a, b, request)
}

#[test]
fn the_requesting_channel_is_busy_until_answered() {
    let (mut bench, a, _, request) = busy();
    assert_error(&bench.request(a, CBOR, &[0x04]), a, ERR_CHANNEL_BUSY);
    assert_error(&bench.ping(a), a, ERR_CHANNEL_BUSY);
    assert_error(&bench.request(a, WINK, &[]), a, ERR_CHANNEL_BUSY);
    bench.hid.complete(request, &[0]);
    assert!(bench.answers_ping(a));
}

#[test]
fn other_channels_are_busy_while_a_request_runs() {
    let (mut bench, _, b, request) = busy();
    assert_error(&bench.request(b, CBOR, &[0x04]), b, ERR_CHANNEL_BUSY);
    assert_error(&bench.ping(b), b, ERR_CHANNEL_BUSY);
    assert_error(&bench.request(b, INIT, &NONCE), b, ERR_CHANNEL_BUSY);
    bench.hid.complete(request, &[0]);
    assert!(bench.answers_ping(b));
}

#[test]
fn a_new_client_may_allocate_a_channel_while_a_request_runs() {
    let (mut bench, a, _, request) = busy();
    let c = bench.open();
    assert_error(&bench.ping(c), c, ERR_CHANNEL_BUSY);
    assert!(bench.hid.is_pending(request));
    assert_eq!(decode(&bench.hid.complete(request, &[0])).cid, a);
}

#[test]
fn cancel_asks_the_pending_request_to_stop_and_is_not_answered() {
    let (mut bench, a, _, request) = busy();
    assert_eq!(bench.request(a, CANCEL, &[]), vec![Output::Cancel { request, cid: a }]);
    assert!(bench.hid.is_pending(request), "the request still owes its answer");
    let reply = decode(&bench.hid.complete(request, &[0x2d]));
    assert_eq!(reply, Answer { cid: a, cmd: CBOR, payload: vec![0x2d] });
}

#[test]
fn cancel_from_elsewhere_or_with_nothing_pending_is_ignored() {
    let (mut bench, a, b, request) = busy();
    assert!(bench.request(b, CANCEL, &[]).is_empty());
    assert!(bench.request(BROADCAST_CID, CANCEL, &[]).is_empty());
    assert!(bench.request(0, CANCEL, &[]).is_empty());
    assert!(bench.request(0x4242_4242, CANCEL, &[]).is_empty());
    bench.hid.complete(request, &[0]);
    assert!(bench.request(a, CANCEL, &[]).is_empty());
    assert!(bench.answers_ping(a));
}

#[test]
fn init_on_the_requesting_channel_abandons_the_request() {
    let (mut bench, a, _, request) = busy();
    let outputs = bench.request(a, INIT, &NONCE);
    assert_eq!(outputs.len(), 2, "{outputs:?}");
    assert_eq!(outputs[0], Output::Cancel { request, cid: a });
    let reply = answer(&outputs);
    assert_eq!((reply.cid, reply.cmd, &reply.payload[8..12]), (a, INIT, &a.to_be_bytes()[..]));
    assert!(!bench.hid.is_pending(request));
    // The channel is usable at once; the abandoned request's late answer is dropped.
    let (second, cid, _) = dispatched(&bench.request(a, CBOR, &[0x04]));
    assert_eq!(cid, a);
    assert!(bench.hid.complete(request, &[0x2d]).is_empty());
    assert!(bench.hid.is_pending(second));
    assert_eq!(decode(&bench.hid.complete(second, &[0])).payload, [0]);
}

#[test]
fn a_power_cycle_forgets_the_pending_request() {
    let (mut bench, a, _, request) = busy();
    bench.hid.power_cycle();
    assert!(!bench.hid.is_pending(request));
    // The client keeps its CID; its new request must not receive the old answer.
    let (second, cid, _) = dispatched(&bench.request(a, CBOR, &[0x04]));
    assert_eq!(cid, a);
    assert!(bench.hid.complete(request, &[0x2d]).is_empty());
    assert_eq!(decode(&bench.hid.complete(second, &[0x00, 0xa0])).payload, [0x00, 0xa0]);
}

#[test]
fn a_power_cycle_drops_a_partial_message() {
    let mut bench = Bench::new();
    let a = bench.open();
    bench.feed(frames(a, PING, &[1; 100])[0]);
    bench.hid.power_cycle();
    assert!(bench.feed(cont_packet(a, 0, &[1; 59])).is_empty());
    assert!(bench.tick().is_empty());
    assert_eq!(bench.hid.next_deadline(), None);
    assert!(bench.answers_ping(a));
}
