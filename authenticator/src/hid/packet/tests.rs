//! CTAP 2.1 §11.2.4: packet layout, fragmentation limits and the command and error codes.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::super::packet::{self, Packet};
use super::super::{HidCommand, HidError, MAX_MESSAGE_LEN};
use crate::hid::test_support::*;
use crate::signals::KeepaliveStatus;

#[test]
fn the_largest_message_is_7609_bytes() {
    assert_eq!(MAX_MESSAGE_LEN, 57 + 128 * 59);
    assert_eq!(MAX_MESSAGE_LEN, 7609);
}

#[test]
fn fragmentation_uses_as_few_packets_as_possible() {
    for (len, packets) in [(0, 1), (1, 1), (57, 1), (58, 2), (116, 2), (117, 3), (7609, 129)] {
        let payload: Vec<u8> = (0..len).map(|i| (i % 251) as u8 + 1).collect();
        let reports = packet::fragment(0x0102_0304, CBOR, &payload).unwrap();
        assert_eq!(reports.len(), packets, "{len} bytes");
        assert_eq!(decode(&reports), Answer { cid: 0x0102_0304, cmd: CBOR, payload }, "{len} bytes");
    }
}

#[test]
fn fragmentation_refuses_what_no_packet_train_can_carry() {
    assert!(packet::fragment(1, CBOR, &[0; MAX_MESSAGE_LEN + 1]).is_none());
}

#[test]
fn an_initialization_packet_is_cid_cmd_bcnt_data() {
    let reports = packet::fragment(0xa1b2_c3d4, PING, &[0xee; 60]).unwrap();
    assert_eq!(&reports[0][..7], &[0xa1, 0xb2, 0xc3, 0xd4, 0x81, 0x00, 60]);
    assert_eq!(&reports[0][7..], &[0xee; 57]);
    assert_eq!(&reports[1][..8], &[0xa1, 0xb2, 0xc3, 0xd4, 0x00, 0xee, 0xee, 0xee]);
    assert!(reports[1][8..].iter().all(|&byte| byte == 0));
}

#[test]
fn parsing_tells_packets_apart_by_bit_7() {
    let init = init_packet(7, CBOR, 300, &[9; 57]);
    assert_eq!(Packet::parse(&init), Packet::Init { cid: 7, cmd: CBOR, len: 300, data: &[9; 57] });
    let cont = cont_packet(7, 0x7f, &[5; 59]);
    assert_eq!(Packet::parse(&cont), Packet::Cont { cid: 7, seq: 0x7f, data: &[5; 59] });
}

#[test]
fn errors_are_ctaphid_error_with_one_byte() {
    let report = super::super::error_report(0x1122_3344, HidError::ChannelBusy);
    assert_eq!(&report[..8], &[0x11, 0x22, 0x33, 0x44, 0xbf, 0x00, 0x01, 0x06]);
    assert!(report[8..].iter().all(|&byte| byte == 0));
}

#[test]
fn keepalives_carry_the_status() {
    let hid = CtapHid::new(HidConfig::default());
    let report = hid.keepalive(0x0000_0005, KeepaliveStatus::UpNeeded);
    assert_eq!(&report[..8], &[0, 0, 0, 5, 0xbb, 0x00, 0x01, 0x02]);
    let report = hid.keepalive(0x0000_0005, KeepaliveStatus::Processing);
    assert_eq!(report[7], 0x01);
}

#[test]
fn command_codes_match_the_specification() {
    let table = [
        (HidCommand::Ping, PING),
        (HidCommand::Msg, MSG),
        (HidCommand::Lock, LOCK),
        (HidCommand::Init, INIT),
        (HidCommand::Wink, WINK),
        (HidCommand::Cbor, CBOR),
        (HidCommand::Cancel, CANCEL),
        (HidCommand::Keepalive, KEEPALIVE),
        (HidCommand::Error, ERROR),
    ];
    for (command, code) in table {
        assert_eq!(command.code(), code);
        assert_eq!(HidCommand::from_code(code), Some(command));
    }
    let known: Vec<u8> = table.iter().map(|(_, code)| *code).collect();
    for code in (0..=0x7f).filter(|code| !known.contains(code)) {
        assert_eq!(HidCommand::from_code(code), None, "{code:#04x}");
    }
}

#[test]
fn error_codes_match_the_specification() {
    let table = [
        (HidError::InvalidCmd, 0x01),
        (HidError::InvalidPar, 0x02),
        (HidError::InvalidLen, 0x03),
        (HidError::InvalidSeq, 0x04),
        (HidError::MsgTimeout, 0x05),
        (HidError::ChannelBusy, 0x06),
        (HidError::LockRequired, 0x0a),
        (HidError::InvalidChannel, 0x0b),
        (HidError::Other, 0x7f),
    ];
    for (error, code) in table {
        assert_eq!(error as u8, code);
    }
}
