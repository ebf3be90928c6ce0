//! The order in which an epoch visits the training points, from a generator
//! small enough to copy: SplitMix64 (Steele, Lea and Flood, 2014) feeding a
//! Fisher–Yates shuffle. An exported script reimplements these few lines and
//! so visits the points in exactly the page's order.
//!
//! In Python, with `M = 2**64 - 1`:
//!
//! ```text
//! def order(seed, n):
//!     state, order = seed, list(range(n))
//!     for i in range(n - 1, 0, -1):
//!         state = (state + 0x9E3779B97F4A7C15) & M
//!         z = state
//!         z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M
//!         z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M
//!         j = (z ^ (z >> 31)) % (i + 1)
//!         order[i], order[j] = order[j], order[i]
//!     return order
//! ```

/// SplitMix64: a 64-bit counter passed through a mixing function. Its
/// output passes BigCrush; plenty for shuffling a few thousand points.
#[derive(Debug, Clone)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// The seed of one epoch's shuffle: the run's shuffle stream mixed with the
/// epoch (0-based), so each epoch's order depends only on (seed, epoch).
pub fn epoch_seed(stream: u64, epoch: u64) -> u64 {
    stream ^ epoch.wrapping_mul(0xA24B_AED4_963E_E407)
}

/// Puts `order` in the Fisher–Yates order drawn from `seed`, starting from
/// `0, 1, …, n - 1`. Each swap partner is `next % (i + 1)`: the modulo's
/// bias is below `n / 2^64`, far too small to matter, and it keeps the
/// script's version one line.
pub fn shuffle(order: &mut [usize], seed: u64) {
    for (i, o) in order.iter_mut().enumerate() {
        *o = i;
    }
    let mut rng = SplitMix64::new(seed);
    for i in (1..order.len()).rev() {
        let j = (rng.next_u64() % (i as u64 + 1)) as usize;
        order.swap(i, j);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix64_gives_the_published_sequence() {
        // The first outputs for seed 1234567 in the reference implementation
        // (https://prng.di.unimi.it/splitmix64.c).
        let mut rng = SplitMix64::new(1_234_567);
        let got: Vec<u64> = (0..3).map(|_| rng.next_u64()).collect();
        assert_eq!(
            got,
            [
                6_457_827_717_110_365_317,
                3_203_168_211_198_807_973,
                9_817_491_932_198_370_423
            ]
        );
    }

    #[test]
    fn a_shuffle_is_a_permutation_and_depends_on_the_seed() {
        let mut a = vec![0; 100];
        let mut b = vec![0; 100];
        shuffle(&mut a, 1);
        shuffle(&mut b, 2);
        assert_ne!(a, b);
        a.sort_unstable();
        assert_eq!(a, (0..100).collect::<Vec<_>>());
    }
}
