//! What an exported script needs to replay a run exactly: the network's
//! initial parameters and the seed of its shuffle stream (the order itself
//! comes from `shuffle`, which the script reimplements).

use rand::SeedableRng;
use rand::rngs::StdRng;

use crate::error::Result;
use crate::net::mlp::Mlp;
use crate::train::config::TrainConfig;
use crate::train::{Stream, Trainer, stream_seed};

/// The network `config` describes for `n_classes`, initialised from its seed:
/// what every run of that config starts from.
pub fn initial_model(config: &TrainConfig, n_classes: usize) -> Result<Mlp> {
    let mut model = config.network.build(n_classes)?;
    let mut rng = StdRng::seed_from_u64(stream_seed(config.seed, Stream::Init));
    model.init(config.network.init, config.network.init_scale, &mut rng);
    Ok(model)
}

impl Trainer {
    /// The parameters this run started from (in the layout of `Mlp::params`),
    /// whatever it has learnt since.
    pub fn initial_params(&self) -> Result<Vec<f64>> {
        Ok(initial_model(&self.config, self.data.n_classes())?.params)
    }

    /// The seed of the run's shuffle stream; epoch `e` shuffles with
    /// `shuffle::epoch_seed(stream, e)`.
    pub fn shuffle_stream(&self) -> u64 {
        stream_seed(self.config.seed, Stream::Shuffle)
    }
}
