//! `softfido bridge --ask`: a person at the terminal answers each presence test, as they would
//! touch a key or not. The question names the site and what it asks for; the answer is read from
//! the controlling terminal (`/dev/tty`), one question at a time.

use std::io::{BufRead as _, BufReader, Write as _};
use std::sync::Mutex;

use softfido_authenticator::config::PresenceOutcome;

use super::hosted::Call;

/// One question at a time, whichever browser context asks.
static TERMINAL: Mutex<()> = Mutex::new(());

/// The question for a `call` from `rp_id`.
pub fn question(call: Call, rp_id: &str) -> String {
    let purpose = match call {
        Call::Create => "to create a passkey",
        Call::Get => "to sign in",
    };
    format!("{rp_id} asks for your touch {purpose}: [a]pprove / [d]eny / [t]ime out? ")
}

/// Reads an answer: `a`/`approve`/`y`/`yes`, `d`/`deny`/`n`/`no`, `t`/`timeout`; anything else
/// is asked again (`None`).
pub fn parse_answer(line: &str) -> Option<PresenceOutcome> {
    match line.trim().to_ascii_lowercase().as_str() {
        "a" | "approve" | "y" | "yes" => Some(PresenceOutcome::Approve),
        "d" | "deny" | "n" | "no" => Some(PresenceOutcome::Deny),
        "t" | "timeout" | "time out" => Some(PresenceOutcome::Timeout),
        _ => None,
    }
}

/// Asks the person at the terminal; without a terminal (or at its end) the touch is denied.
pub fn ask(question: &str) -> PresenceOutcome {
    let _one_at_a_time = TERMINAL.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let Ok(tty) = std::fs::OpenOptions::new().read(true).write(true).open("/dev/tty") else {
        tracing::warn!("--ask: no terminal to ask; the touch is denied");
        return PresenceOutcome::Deny;
    };
    let mut writer = &tty;
    let mut lines = BufReader::new(&tty).lines();
    loop {
        let _ = writer.write_all(question.as_bytes());
        let _ = writer.flush();
        match lines.next() {
            Some(Ok(line)) => {
                if let Some(answer) = parse_answer(&line) {
                    return answer;
                }
            }
            _ => return PresenceOutcome::Deny,
        }
    }
}

#[cfg(test)]
mod tests;
