//! Every optimizer in `optimizers.json`, six steps each, against `torch.optim`.

mod common;

use backprop::optim::{AdagradConfig, AdamConfig, AdamWConfig, Momentum, RmsPropConfig, SgdConfig};
use backprop::{Optimizer, OptimizerConfig};
use common::{assert_close, f, flat, load};
use serde_json::Value;

/// Translates the file's full PyTorch param_group into our config.
fn config(name: &str, kind: &str, h: &Value) -> OptimizerConfig {
    let num = |k: &str| f(&h[k]);
    let flag = |k: &str| h[k].as_bool().unwrap_or(false);
    match kind {
        "SGD" => {
            let mu = num("momentum");
            let momentum = match (mu, flag("nesterov")) {
                (0.0, _) => Momentum::None,
                (mu, true) => Momentum::Nesterov(mu),
                (mu, false) => Momentum::Classic(mu),
            };
            OptimizerConfig::Sgd(SgdConfig {
                lr: num("lr"),
                momentum,
                dampening: num("dampening"),
                weight_decay: num("weight_decay"),
            })
        }
        "RMSprop" => {
            assert!(!flag("centered"), "{name}: centred RMSprop is not implemented");
            OptimizerConfig::RmsProp(RmsPropConfig {
                lr: num("lr"),
                alpha: num("alpha"),
                eps: num("eps"),
                momentum: num("momentum"),
                weight_decay: num("weight_decay"),
            })
        }
        "Adam" | "AdamW" => {
            let c = AdamConfig {
                lr: num("lr"),
                beta1: f(&h["betas"][0]),
                beta2: f(&h["betas"][1]),
                eps: num("eps"),
                weight_decay: num("weight_decay"),
                amsgrad: flag("amsgrad"),
            };
            if kind == "AdamW" || flag("decoupled_weight_decay") {
                OptimizerConfig::AdamW(AdamWConfig::from(c))
            } else {
                OptimizerConfig::Adam(c)
            }
        }
        "Adagrad" => OptimizerConfig::Adagrad(AdagradConfig {
            lr: num("lr"),
            lr_decay: num("lr_decay"),
            eps: num("eps"),
            weight_decay: num("weight_decay"),
            initial_accumulator_value: num("initial_accumulator_value"),
        }),
        other => panic!("{name}: unknown optimizer {other}"),
    }
}

#[test]
fn every_optimizer_matches_torch_optim_for_six_steps() {
    let Some(file) = load("optimizers.json") else {
        return;
    };
    let init: Vec<Vec<f64>> = file["initial_params"]
        .as_array()
        .expect("params")
        .iter()
        .map(flat)
        .collect();
    let sizes: Vec<usize> = init.iter().map(Vec::len).collect();
    let grads: Vec<Vec<f64>> = file["grad_sequence"]
        .as_array()
        .expect("grad_sequence")
        .iter()
        .map(flat)
        .collect();
    let optimizers = file["optimizers"].as_array().expect("optimizers");
    for o in optimizers {
        let name = o["name"].as_str().expect("name");
        let cfg = config(
            name,
            o["optimizer"].as_str().expect("kind"),
            &o["hyperparameters"],
        );
        let mut params: Vec<f64> = init.concat();
        let mut opt = Optimizer::new(cfg, params.len()).expect("valid optimizer");
        for (step, (g, expected)) in grads
            .iter()
            .zip(o["params_after_step"].as_array().expect("steps"))
            .enumerate()
        {
            opt.step(&mut params, g, cfg.lr());
            let expected = flat(expected);
            assert_eq!(expected.len(), sizes.iter().sum::<usize>());
            assert_close(&format!("{name} step {}", step + 1), &params, &expected);
        }
    }
    eprintln!("{} optimizers matched over 6 steps", optimizers.len());
}

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
