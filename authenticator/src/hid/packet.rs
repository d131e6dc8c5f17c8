//! Packet framing: one 64-byte report in, one message out as a train of reports.
//!
//! CTAP 2.1 §11.2.4: an initialization packet is CID(4) | CMD(1, bit 7 set) | BCNTH | BCNTL |
//! DATA(57); a continuation packet is CID(4) | SEQ(1, bit 7 clear, 0..=0x7f) | DATA(59).

use super::{MAX_MESSAGE_LEN, REPORT_LEN, Report};

/// Bit 7 of the fifth byte: set for an initialization packet, clear for a continuation.
pub(super) const TYPE_INIT: u8 = 0x80;
/// Payload bytes carried by an initialization packet.
pub(super) const INIT_DATA_LEN: usize = REPORT_LEN - 7;
/// Payload bytes carried by a continuation packet.
pub(super) const CONT_DATA_LEN: usize = REPORT_LEN - 5;

/// One report, split into its fields. Parsing never fails: every 64-byte report is one or the
/// other kind of packet; whether it makes sense is for the state machine to decide.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Packet<'a> {
    /// Starts a message.
    Init {
        /// Channel.
        cid: u32,
        /// Command with the TYPE_INIT bit cleared.
        cmd: u8,
        /// Total payload length announced (BCNT).
        len: usize,
        /// The first payload bytes (possibly padding past `len`).
        data: &'a [u8],
    },
    /// Continues a message.
    Cont {
        /// Channel.
        cid: u32,
        /// Sequence number, 0..=0x7f.
        seq: u8,
        /// The next payload bytes (possibly padding past the message end).
        data: &'a [u8],
    },
}

impl<'a> Packet<'a> {
    /// Splits a report into its fields.
    pub(super) fn parse(report: &'a Report) -> Self {
        let (head, rest) = report.split_at(4);
        let cid = u32::from_be_bytes([head[0], head[1], head[2], head[3]]);
        match rest {
            [cmd, bcnth, bcntl, data @ ..] if cmd & TYPE_INIT != 0 => Packet::Init {
                cid,
                cmd: cmd & !TYPE_INIT,
                len: usize::from(u16::from_be_bytes([*bcnth, *bcntl])),
                data,
            },
            [seq, data @ ..] => Packet::Cont { cid, seq: *seq, data },
            // Unreachable for a 64-byte report; an empty continuation keeps this total.
            [] => Packet::Cont { cid, seq: 0, data: &[] },
        }
    }
}

/// Splits a message into an initialization packet and as many continuation packets as needed,
/// zero-padding the last one (CTAP 2.1 §11.2.4: unused bytes SHOULD be zero).
///
/// Returns `None` when the payload exceeds [`MAX_MESSAGE_LEN`], which no packet train can carry.
pub(super) fn fragment(cid: u32, cmd: u8, payload: &[u8]) -> Option<Vec<Report>> {
    if payload.len() > MAX_MESSAGE_LEN {
        return None;
    }
    let bcnt = u16::try_from(payload.len()).ok()?;
    let cid = cid.to_be_bytes();
    let (first, rest) = payload.split_at(payload.len().min(INIT_DATA_LEN));

    let mut init = [0u8; REPORT_LEN];
    init[..4].copy_from_slice(&cid);
    init[4] = cmd | TYPE_INIT;
    init[5..7].copy_from_slice(&bcnt.to_be_bytes());
    init[7..7 + first.len()].copy_from_slice(first);

    let mut reports = vec![init];
    // At most 128 chunks remain because of the length check above, so SEQ stays within 0..=0x7f.
    for (seq, chunk) in (0u8..).zip(rest.chunks(CONT_DATA_LEN)) {
        let mut cont = [0u8; REPORT_LEN];
        cont[..4].copy_from_slice(&cid);
        cont[4] = seq;
        cont[5..5 + chunk.len()].copy_from_slice(chunk);
        reports.push(cont);
    }
    Some(reports)
}

/// A message that fits in one initialization packet (errors, keepalives, empty answers).
/// Data beyond the 57 bytes one packet carries is cut off; callers pass at most a few bytes.
pub(super) fn single(cid: u32, cmd: u8, data: &[u8]) -> Report {
    let data = &data[..data.len().min(INIT_DATA_LEN)];
    let mut report = [0u8; REPORT_LEN];
    report[..4].copy_from_slice(&cid.to_be_bytes());
    report[4] = cmd | TYPE_INIT;
    // At most 57 bytes, so the length fits in BCNTL.
    report[6] = data.len() as u8;
    report[7..7 + data.len()].copy_from_slice(data);
    report
}

#[cfg(test)]
mod tests;
