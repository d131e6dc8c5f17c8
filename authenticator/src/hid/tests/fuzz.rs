//! Nothing panics on any report, and the state machine's invariants hold under random traffic.

use super::*;

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
