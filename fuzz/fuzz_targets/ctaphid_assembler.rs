//! The CTAPHID state machine (CTAP 2.1 §11.2) fed a sequence of 64-byte reports. The input is
//! split into 65-byte records: a control byte, then the report. The control byte's low five bits
//! advance the clock by that many 50 ms steps (to reach the transaction and lock timeouts); bit 5
//! readdresses the report to the channel CTAPHID_INIT last allocated (CIDs are random, so the
//! fuzzer could not guess them); bit 6 answers the dispatched request before the report
//! arrives; bit 7 power-cycles the device.

#![no_main]

use std::time::{Duration, Instant};

use libfuzzer_sys::fuzz_target;
use softfido_authenticator::hid::{
    BROADCAST_CID, CtapHid, HidCommand, HidConfig, Output, REPORT_LEN, Report, RequestId,
};

const RECORD_LEN: usize = 1 + REPORT_LEN;
const TIME_STEPS: u8 = 0x1f;
const TO_ALLOCATED: u8 = 0x20;
const ANSWER_FIRST: u8 = 0x40;
const POWER_CYCLE: u8 = 0x80;
const STEP: Duration = Duration::from_millis(50);

fuzz_target!(|input: &[u8]| {
    let config = HidConfig { supports_msg: true, max_channels: 4, ..HidConfig::default() };
    let mut hid = CtapHid::new(config);
    let mut now = Instant::now();
    let mut pending: Option<(RequestId, u32)> = None;
    let mut allocated = BROADCAST_CID;
    for record in input.chunks_exact(RECORD_LEN) {
        let (control, report) = (record[0], &record[1..]);
        now += STEP * u32::from(control & TIME_STEPS);
        if control & POWER_CYCLE != 0 {
            hid.power_cycle();
        }
        if control & ANSWER_FIRST != 0 {
            if let Some((request, cid)) = pending.take() {
                // A long answer exercises fragmentation into continuation packets.
                let answer = vec![0u8; usize::from(report[0]) * 31];
                let reports = hid.complete(request, &answer);
                if !reports.is_empty() {
                    check_train(cid, &reports);
                }
            }
        }
        let mut report: Report = report.try_into().unwrap_or([0; REPORT_LEN]);
        if control & TO_ALLOCATED != 0 {
            report[..4].copy_from_slice(&allocated.to_be_bytes());
        }
        let mut outputs = hid.handle_report(&report, now);
        outputs.extend(hid.tick(now));
        for output in outputs {
            match output {
                Output::Send { cid, reports } => {
                    check_train(cid, &reports);
                    allocated = allocated_channel(cid, &reports).unwrap_or(allocated);
                }
                Output::Dispatch { request, cid, .. } => pending = Some((request, cid)),
                Output::Cancel { .. } | Output::Wink { .. } => {}
            }
        }
    }
});

/// Every packet train is non-empty and addressed to its channel in every report.
fn check_train(cid: u32, reports: &[Report]) {
    assert!(!reports.is_empty(), "an empty packet train");
    assert!(reports.iter().all(|r| r[..4] == cid.to_be_bytes()), "a report to another channel");
}

/// The channel a CTAPHID_INIT answer on the broadcast channel allocates (CTAP 2.1 §11.2.9.1.3:
/// the 8-byte nonce, then the new CID).
fn allocated_channel(cid: u32, reports: &[Report]) -> Option<u32> {
    let first = reports.first()?;
    let init = 0x80 | HidCommand::Init.code();
    (cid == BROADCAST_CID && first[4] == init)
        .then(|| u32::from_be_bytes([first[15], first[16], first[17], first[18]]))
}
