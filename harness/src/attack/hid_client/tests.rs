//! The client's framing and naming, without a device.

use super::*;

#[test]
fn errors_and_statuses_are_named_as_the_spec_names_them() {
    assert_eq!(Answer::Error(HidError::InvalidChannel as u8).refusal(), "hid:ERR_INVALID_CHANNEL");
    assert_eq!(Answer::Reply(vec![0x30]).refusal(), "ctap:CTAP2_ERR_NOT_ALLOWED");
    assert_eq!(hid_error_name(0x42), "ERR_0x42");
    assert_eq!(Answer::Reply(vec![0x00, 0xa0]).status(), Some(0));
    assert_eq!(Answer::Error(0x0b).status(), None);
}

#[test]
fn the_allocated_channel_follows_the_nonce() {
    let mut payload = vec![7; INIT_NONCE_LEN];
    payload.extend_from_slice(&[0x12, 0x34, 0x56, 0x78, 2, 0, 1, 0, 0x0c]);
    assert_eq!(allocated_cid(&payload).unwrap(), 0x1234_5678);
    assert!(allocated_cid(&payload[..10]).is_err());
}

#[test]
fn a_long_message_is_split_into_an_initialization_and_continuation_packets() {
    let device = UdpSocket::bind("127.0.0.1:0").unwrap();
    device.set_read_timeout(Some(Duration::from_secs(3))).unwrap();
    let client = HidClient::connect(device.local_addr().unwrap()).unwrap();
    let payload: Vec<u8> = (0..120).map(|n| n as u8).collect();
    client.send(0x0102_0304, HidCommand::Cbor, &payload).unwrap();
    let mut reports = Vec::new();
    for _ in 0..3 {
        let mut report = [0u8; REPORT_LEN];
        assert_eq!(device.recv(&mut report).unwrap(), REPORT_LEN);
        reports.push(report);
    }
    assert_eq!(&reports[0][..7], &[1, 2, 3, 4, 0x90, 0, 120]);
    assert_eq!(&reports[0][7..], &payload[..INIT_DATA_LEN]);
    assert_eq!(&reports[1][..5], &[1, 2, 3, 4, 0]);
    assert_eq!(&reports[1][5..], &payload[INIT_DATA_LEN..INIT_DATA_LEN + CONT_DATA_LEN]);
    assert_eq!(&reports[2][..5], &[1, 2, 3, 4, 1]);
    assert_eq!(&reports[2][5..9], &payload[INIT_DATA_LEN + CONT_DATA_LEN..]);
}
