//! Command APDUs as U2F frames them (FIDO U2F Raw Message Formats v1.2, "Request Message Framing", after
//! ISO 7816-4 §5.1): a four-byte header `CLA INS P1 P2`, then the body in the short or the extended length
//! encoding. Parsing never panics; any inconsistency between the lengths and the bytes present is
//! [`StatusWord::WrongLength`].

use super::StatusWord;

/// The only class byte U2F uses ("Request Message Framing": CLA is 0x00).
pub const CLA_U2F: u8 = 0x00;

/// A command APDU split into its header and its data field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommandApdu<'a> {
    /// The class byte.
    pub cla: u8,
    /// The instruction byte.
    pub ins: u8,
    /// The first parameter.
    pub p1: u8,
    /// The second parameter.
    pub p2: u8,
    /// The request data (empty when the APDU has no Lc).
    pub data: &'a [u8],
    /// The length encoding the body used (both are accepted; U2F clients usually send extended).
    pub encoding: LengthEncoding,
}

/// How an APDU's body encodes its lengths (ISO 7816-4 §5.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LengthEncoding {
    /// No body at all (ISO case 1).
    None,
    /// One-byte Lc and Le (cases 2S, 3S, 4S).
    Short,
    /// A zero byte, then two-byte Lc and Le (cases 2E, 3E, 4E; the extended length encoding of
    /// "Request Message Framing").
    Extended,
}

const HEADER_LEN: usize = 4;
/// An extended body opens with a zero byte before its two-byte length.
const EXTENDED_MARKER: u8 = 0x00;

impl<'a> CommandApdu<'a> {
    /// Splits `bytes` into header and data. A header shorter than four bytes, or a body whose
    /// lengths disagree with its size, is [`StatusWord::WrongLength`].
    pub fn parse(bytes: &'a [u8]) -> Result<Self, StatusWord> {
        let Some((header, body)) = bytes.split_first_chunk::<HEADER_LEN>() else {
            return Err(StatusWord::WrongLength);
        };
        let [cla, ins, p1, p2] = *header;
        let (data, encoding) = parse_body(body)?;
        Ok(Self { cla, ins, p1, p2, data, encoding })
    }
}

/// The data field of a body (ISO 7816-4 §5.1, table 1: the six cases, short and extended).
fn parse_body(body: &[u8]) -> Result<(&[u8], LengthEncoding), StatusWord> {
    match body {
        // Case 1: no Lc, no Le.
        [] => Ok((&[], LengthEncoding::None)),
        // Case 2S: Le only.
        [_le] => Ok((&[], LengthEncoding::Short)),
        [EXTENDED_MARKER, rest @ ..] => parse_extended(rest),
        [lc, rest @ ..] => {
            let lc = usize::from(*lc);
            match rest.len().checked_sub(lc) {
                // Case 3S: Lc and data; case 4S: then a one-byte Le.
                Some(0 | 1) => Ok((&rest[..lc], LengthEncoding::Short)),
                _ => Err(StatusWord::WrongLength),
            }
        }
    }
}

/// The body after the extended marker: `Lc1 Lc2 data [Le1 Le2]`, or `Le1 Le2` alone (case 2E).
///
/// A zero Lc followed by a two-byte Le is accepted as "no data": "Request Message Framing" frames every
/// request with Lc, and clients (python-fido2, libfido2) send U2F_VERSION
/// as `00 00 00` then `00 00`.
fn parse_extended(rest: &[u8]) -> Result<(&[u8], LengthEncoding), StatusWord> {
    let Some((length, tail)) = rest.split_first_chunk::<2>() else {
        return Err(StatusWord::WrongLength);
    };
    let lc = usize::from(u16::from_be_bytes(*length));
    if tail.is_empty() {
        // Case 2E: the two bytes were Le.
        return Ok((&[], LengthEncoding::Extended));
    }
    match tail.len().checked_sub(lc) {
        // Case 3E: data; case 4E: data then a two-byte Le.
        Some(0 | 2) => Ok((&tail[..lc], LengthEncoding::Extended)),
        _ => Err(StatusWord::WrongLength),
    }
}

#[cfg(test)]
mod tests;
