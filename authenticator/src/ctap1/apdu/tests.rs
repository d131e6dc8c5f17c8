//! ISO 7816-4 §5.1 as U2F Raw Message Formats v1.2 §3.1 uses it: both length encodings.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::{CommandApdu, LengthEncoding};
use crate::ctap1::StatusWord;

const HEADER: [u8; 4] = [0x00, 0x02, 0x03, 0x00];

fn apdu(body: &[u8]) -> Vec<u8> {
    [&HEADER[..], body].concat()
}

fn data_of(body: &[u8]) -> Result<(Vec<u8>, LengthEncoding), StatusWord> {
    let bytes = apdu(body);
    CommandApdu::parse(&bytes).map(|parsed| (parsed.data.to_vec(), parsed.encoding))
}

#[test]
fn the_header_is_split_into_its_four_bytes() {
    let parsed = CommandApdu::parse(&[0x12, 0x34, 0x56, 0x78]).unwrap();
    assert_eq!((parsed.cla, parsed.ins, parsed.p1, parsed.p2), (0x12, 0x34, 0x56, 0x78));
    assert_eq!((parsed.data, parsed.encoding), (&[][..], LengthEncoding::None));
}

#[test]
fn a_header_shorter_than_four_bytes_is_a_wrong_length() {
    for len in 0..4 {
        assert_eq!(CommandApdu::parse(&HEADER[..len]), Err(StatusWord::WrongLength), "{len} bytes");
    }
}

#[test]
fn short_encoding_cases_2_3_and_4() {
    assert_eq!(data_of(&[0x00]), Ok((vec![], LengthEncoding::Short)), "case 2S: Le = 256");
    assert_eq!(data_of(&[0x40]), Ok((vec![], LengthEncoding::Short)), "case 2S");
    assert_eq!(data_of(&[0x03, 1, 2, 3]), Ok((vec![1, 2, 3], LengthEncoding::Short)), "case 3S");
    assert_eq!(data_of(&[0x03, 1, 2, 3, 0x00]), Ok((vec![1, 2, 3], LengthEncoding::Short)), "case 4S");
    let full = [&[0xff][..], &[7; 255]].concat();
    assert_eq!(data_of(&full), Ok((vec![7; 255], LengthEncoding::Short)), "the longest short Lc");
}

#[test]
fn extended_encoding_cases_2_3_and_4() {
    assert_eq!(data_of(&[0x00, 0x00, 0x00]), Ok((vec![], LengthEncoding::Extended)), "case 2E");
    assert_eq!(data_of(&[0x00, 0x00, 0x03, 1, 2, 3]), Ok((vec![1, 2, 3], LengthEncoding::Extended)), "3E");
    assert_eq!(
        data_of(&[0x00, 0x00, 0x03, 1, 2, 3, 0x01, 0x00]),
        Ok((vec![1, 2, 3], LengthEncoding::Extended)),
        "case 4E"
    );
    let long = [&[0x00, 0x01, 0x2c][..], &[9; 300], &[0x00, 0x00]].concat();
    assert_eq!(data_of(&long), Ok((vec![9; 300], LengthEncoding::Extended)), "longer than a short Lc");
}

#[test]
fn an_empty_extended_lc_with_le_is_no_data() {
    // What python-fido2 and libfido2 send for U2F_VERSION.
    assert_eq!(data_of(&[0x00, 0x00, 0x00, 0x00, 0x00]), Ok((vec![], LengthEncoding::Extended)));
}

#[test]
fn lengths_that_disagree_with_the_body_are_wrong_lengths() {
    let cases: [&[u8]; 9] = [
        &[0x03, 1, 2],                      // short Lc longer than the data
        &[0x02, 1, 2, 3, 4],                // short: two bytes after the data
        &[0x00, 0x01],                      // extended marker with half a length
        &[0x00, 0x00, 0x03, 1, 2],          // extended Lc longer than the data
        &[0x00, 0x00, 0x02, 1, 2, 3],       // one byte after the data
        &[0x00, 0x00, 0x02, 1, 2, 3, 4, 5], // three bytes after the data
        &[0x00, 0x00, 0x00, 0x00],          // zero Lc and half an Le
        &[0x00, 0xff, 0xff, 1],             // extended Lc of 65535 with one byte
        &[0x00, 0x00, 0x00, 1, 2, 3],       // zero Lc followed by three bytes
    ];
    for body in cases {
        assert_eq!(data_of(body), Err(StatusWord::WrongLength), "{body:02x?}");
    }
}

#[test]
fn every_truncation_and_extension_of_an_apdu_parses_or_is_refused_without_panic() {
    let extended = apdu(&[&[0x00, 0x00, 0x41][..], &[5; 0x41], &[0x00, 0x00]].concat());
    let short = apdu(&[&[0x41][..], &[5; 0x41], &[0x00]].concat());
    for full in [extended, short] {
        for len in 0..=full.len() {
            let _ = CommandApdu::parse(&full[..len]);
        }
        let mut longer = full.clone();
        for extra in 0..8u8 {
            longer.push(extra);
            let _ = CommandApdu::parse(&longer);
        }
    }
}
