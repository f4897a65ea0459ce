//! Gathering file events into one batch per save. An editor's save is several events (a
//! temporary file, a rename, a backup removed) and a script may write a file several times in
//! a row: the batch closes only once the events stop for a moment, so each of those is one
//! rebuild. Past a cap it closes at the first short pause instead, so files that keep
//! changing (a generator in a loop, a save every few tens of milliseconds) still get rebuilt;
//! waiting for that pause keeps the rebuild from reading a file between the truncation and
//! the write of an in-place save (an empty template renders empty pages). A stream without
//! any pause is cut at twice the cap.

use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

/// How long the events must stop before a batch closes. It is paid on every save before the
/// rebuild starts, so it stays short: an editor's save (temporary file, rename, backup
/// removed) takes a few milliseconds, several times less than this, and a script writing a
/// file every 10 ms is still one batch. (It was 30 ms: on a 10,000-post site that was more
/// than half of the time from a save to the reload.)
pub const QUIET: Duration = Duration::from_millis(20);
/// How long a batch stays open after its first event before a short pause closes it.
pub const MOST: Duration = Duration::from_millis(500);
/// The pause that closes a batch past [`MOST`]: longer than an editor takes between
/// truncating a file and writing it.
const PAUSE: Duration = Duration::from_millis(10);

/// Waits for an event that `counts`, then gathers every event until none that counts has
/// arrived for `quiet`; past `most` after the first, until none has for [`PAUSE`] (or `quiet`
/// if shorter); past twice `most`, at once. Events that do not count (a file read, an
/// editor's swap file) are dropped and never keep a batch open. `None` once the sender is
/// gone.
pub fn next_batch<T>(
    events: &Receiver<T>,
    mut counts: impl FnMut(&T) -> bool,
    quiet: Duration,
    most: Duration,
) -> Option<Vec<T>> {
    let first = loop {
        let event = events.recv().ok()?;
        if counts(&event) {
            break event;
        }
    };
    let opened = Instant::now();
    let mut last = opened;
    let mut batch = vec![first];
    loop {
        let now = Instant::now();
        let pause = (last + quiet.min(PAUSE)).max(opened + most);
        let until = (last + quiet).min(pause).min(opened + 2 * most);
        if now >= until {
            return Some(batch);
        }
        match events.recv_timeout(until - now) {
            Ok(event) if counts(&event) => {
                batch.push(event);
                last = Instant::now();
            }
            Ok(_) => {}
            Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => {
                return Some(batch);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, mpsc::channel};
    use std::time::Duration;

    use super::next_batch;

    const LONG: Duration = Duration::from_secs(3600);

    #[test]
    fn waiting_events_form_one_batch_and_ignored_ones_are_dropped() {
        let (sender, events) = channel();
        for n in [1, -1, 2, 3, -2] {
            sender.send(n).unwrap();
        }
        drop(sender);
        // Only the sender's end stops the quiet period here: no clock decides the result.
        let batch = next_batch(&events, |n| *n > 0, LONG, LONG);
        assert_eq!(batch, Some(vec![1, 2, 3]));
        assert_eq!(next_batch(&events, |n| *n > 0, LONG, LONG), None);
    }

    #[test]
    fn events_that_do_not_count_never_open_a_batch() {
        let (sender, events) = channel();
        sender.send(-1).unwrap();
        sender.send(-2).unwrap();
        drop(sender);
        assert_eq!(next_batch(&events, |n: &i32| *n > 0, LONG, LONG), None);
    }

    #[test]
    fn a_stream_that_never_stops_is_still_cut_into_batches() {
        let (sender, events) = channel();
        let stop = Arc::new(AtomicBool::new(false));
        let writer = {
            let stop = stop.clone();
            std::thread::spawn(move || {
                let mut n = 0;
                while !stop.load(Ordering::Relaxed) && sender.send(n).is_ok() {
                    n += 1;
                    std::thread::sleep(Duration::from_millis(1));
                }
            })
        };
        // Neither the quiet period nor a pause ever comes; the caps close the batch (this
        // would hang without them).
        let first = next_batch(&events, |_| true, LONG, Duration::from_millis(50)).unwrap();
        let second = next_batch(&events, |_| true, LONG, Duration::from_millis(50)).unwrap();
        stop.store(true, Ordering::Relaxed);
        writer.join().unwrap();
        assert!(!first.is_empty() && !second.is_empty());
        assert!(
            first.last() < second.first(),
            "batches keep the events' order"
        );
    }
}
