//! A criterion measurement of the benchmark thread's own CPU time, for
//! comparisons on a machine other work shares: wall time counts the
//! moments the thread waits for a core, its CPU time does not. It is
//! POSIX's `CLOCK_THREAD_CPUTIME_ID`, exact to the nanosecond on Linux
//! (`/proc/thread-self/schedstat` only moves at scheduler ticks).
//! Figures read as durations, like wall time's.

use std::time::Duration;

use criterion::measurement::{Measurement, ValueFormatter, WallTime};

/// The calling thread's CPU time.
pub struct ThreadCpu;

/// The calling thread's CPU time so far, in nanoseconds.
fn thread_cpu_ns() -> u64 {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `t` is a valid, writable timespec that outlives the call.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");
    t.tv_sec as u64 * 1_000_000_000 + t.tv_nsec as u64
}

impl Measurement for ThreadCpu {
    type Intermediate = u64;
    type Value = Duration;

    fn start(&self) -> u64 {
        thread_cpu_ns()
    }
    fn end(&self, start: u64) -> Duration {
        Duration::from_nanos(thread_cpu_ns() - start)
    }
    fn add(&self, v1: &Duration, v2: &Duration) -> Duration {
        *v1 + *v2
    }
    fn zero(&self) -> Duration {
        Duration::ZERO
    }
    fn to_f64(&self, value: &Duration) -> f64 {
        value.as_nanos() as f64
    }
    /// Nanoseconds, shown as wall time's are.
    fn formatter(&self) -> &dyn ValueFormatter {
        WallTime.formatter()
    }
}
