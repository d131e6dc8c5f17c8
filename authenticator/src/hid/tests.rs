//! CTAP 2.1 §11.2.5 and §11.2.9.1.5: a pending request keeps the device busy; CANCEL, INIT and
//! power cycles end it. Nothing panics on any report, and the state machine's invariants hold
//! under random traffic.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::hid::test_support::*;

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

/// An INIT on a channel nobody was given, while another channel's request runs, is answered
/// with a new channel and leaves the request alone (CTAP 2.1 §11.2.9.1.3, §11.2.5.1).
#[test]
fn init_on_an_unallocated_channel_does_not_disturb_a_running_request() {
    let (mut bench, a, _, request) = busy();
    let invented = 0x0bad_cafe;
    let reply = answer(&bench.request(invented, INIT, &NONCE));
    assert_eq!((reply.cid, reply.cmd, &reply.payload[..8]), (invented, INIT, &NONCE[..]));
    let given = u32::from_be_bytes(reply.payload[8..12].try_into().unwrap());
    assert_ne!(given, invented);
    assert!(bench.hid.is_pending(request));
    assert_error(&bench.ping(given), given, ERR_CHANNEL_BUSY);
    assert_eq!(decode(&bench.hid.complete(request, &[0])).cid, a);
    assert!(bench.answers_ping(given));
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

/// xorshift64*: deterministic, so a failure reproduces.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound as u64) as usize
    }

    fn byte(&mut self) -> u8 {
        self.next() as u8
    }

    fn report(&mut self) -> Report {
        let mut report = [0; REPORT_LEN];
        report.iter_mut().for_each(|byte| *byte = self.byte());
        report
    }
}

/// Checks every output: well-framed trains addressed to the channel they name.
fn check(outputs: &[Output]) {
    for output in outputs {
        if let Output::Send { cid, reports } = output {
            assert_eq!(decode(reports).cid, *cid);
        }
    }
}

#[test]
fn random_reports_never_panic() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut bench = Bench::with(HidConfig { max_channels: 4, supports_msg: true, ..HidConfig::default() });
    for _ in 0..5000 {
        let report = rng.report();
        check(&bench.feed(report));
        bench.advance(Duration::from_millis(rng.below(50) as u64));
    }
}

/// Random traffic that reaches deep states: real channels, real commands, plausible lengths,
/// sequence numbers near the expected ones, answers, power cycles and time passing.
#[test]
fn structured_random_traffic_keeps_the_invariants() {
    const COMMANDS: [u8; 12] =
        [PING, MSG, LOCK, INIT, WINK, CBOR, CANCEL, KEEPALIVE, ERROR, 0x40, 0x00, 0x7f];
    let mut rng = Rng(0x0123_4567_89ab_cdef);
    let max_channels = 4;
    let mut bench = Bench::with(HidConfig { max_channels, supports_msg: true, ..HidConfig::default() });
    let mut cids = vec![BROADCAST_CID, 0, 0x1234_5678];
    let mut requests: Vec<RequestId> = Vec::new();
    for round in 0..20_000 {
        let cid = cids[rng.below(cids.len())];
        let mut report = rng.report();
        report[..4].copy_from_slice(&cid.to_be_bytes());
        if rng.below(2) == 0 {
            report[4] = COMMANDS[rng.below(COMMANDS.len())] | 0x80;
            let len = [0, 1, 8, 57, 58, 200, 7609, 7610][rng.below(8)] as u16;
            report[5..7].copy_from_slice(&len.to_be_bytes());
        } else {
            report[4] = rng.byte() % 4;
        }
        let outputs = bench.feed(report);
        check(&outputs);
        for output in &outputs {
            match output {
                Output::Dispatch { request, .. } => requests.push(*request),
                Output::Send { cid: BROADCAST_CID, reports } => {
                    let reply = decode(reports);
                    if reply.cmd == INIT {
                        cids.push(u32::from_be_bytes(reply.payload[8..12].try_into().unwrap()));
                    }
                }
                _ => {}
            }
        }
        let pending: Vec<&RequestId> = requests.iter().filter(|r| bench.hid.is_pending(**r)).collect();
        assert!(pending.len() <= 1, "one request at a time, round {round}");
        assert!(bench.hid.channel_count() <= max_channels);
        match rng.below(20) {
            0 => {
                if let Some(request) = requests.last() {
                    let reports = bench.hid.complete(*request, &[0; 100]);
                    if !reports.is_empty() {
                        assert_eq!(decode(&reports).payload.len(), 100);
                    }
                }
            }
            1 => bench.hid.power_cycle(),
            2..=5 => check(&bench.tick()),
            _ => {}
        }
        bench.advance(Duration::from_millis(rng.below(200) as u64));
    }
    assert!(!requests.is_empty(), "the traffic reached dispatch");
}
