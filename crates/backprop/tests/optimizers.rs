//! Optimizer state across settings changes, and validation of hyper-parameters.
//! (Every optimizer's steps against `torch.optim` are in the reference tests, `tests/reference`.)

use backprop::train::optim::{AdamConfig, Momentum, RmsPropConfig, SgdConfig};
use backprop::{Optimizer, OptimizerConfig};

#[test]
fn changing_the_learning_rate_keeps_the_state() {
    let mut opt = Optimizer::new(OptimizerConfig::Adam(AdamConfig::default()), 3).expect("valid");
    let mut p = vec![1.0, -2.0, 0.5];
    opt.step(&mut p, &[0.1, 0.2, -0.3], 1e-3);
    opt.set_config(OptimizerConfig::Adam(AdamConfig {
        lr: 0.5,
        ..AdamConfig::default()
    }))
    .expect("valid");
    assert_eq!(opt.steps(), 1, "same kind keeps the step count and moments");
    opt.set_config(OptimizerConfig::Sgd(SgdConfig::default()))
        .expect("valid");
    assert_eq!(opt.steps(), 0, "another kind starts afresh");
}

#[test]
fn bad_hyper_parameters_name_the_field_and_value() {
    let cases = [
        (
            OptimizerConfig::Sgd(SgdConfig {
                lr: 0.0,
                ..SgdConfig::default()
            }),
            "optimizer.lr",
            "0",
        ),
        (
            OptimizerConfig::Sgd(SgdConfig {
                lr: f64::NAN,
                ..SgdConfig::default()
            }),
            "optimizer.lr",
            "NaN",
        ),
        (
            OptimizerConfig::Sgd(SgdConfig {
                momentum: Momentum::Classic(1.0),
                ..SgdConfig::default()
            }),
            "optimizer.momentum",
            "1",
        ),
        (
            OptimizerConfig::Adam(AdamConfig {
                beta2: 1.5,
                ..AdamConfig::default()
            }),
            "optimizer.beta2",
            "1.5",
        ),
        (
            OptimizerConfig::RmsProp(RmsPropConfig {
                eps: 0.0,
                ..RmsPropConfig::default()
            }),
            "optimizer.eps",
            "0",
        ),
    ];
    for (cfg, field, value) in cases {
        let e = cfg.validate().expect_err("invalid");
        assert_eq!(e.field(), field);
        assert!(e.to_string().contains(value), "{e}");
    }
}
