//! The tutorial "反向传播算法详解", replayed on its exact data:
//!
//! 1. its NumPy network — `[2, 10, 8, 1]`, He init, ReLU, sigmoid + BCE, full-batch
//!    gradient descent with lr 0.1 for 1000 epochs — printing loss and accuracy
//!    every 100 epochs and the test accuracy at the end;
//! 2. its PyTorch loop — the same network with Adam (lr 0.001), reporting every 200.
//!
//! `cargo run --release -p backprop --example tutorial [seed]`

use backprop::train::optim::AdamConfig;
use backprop::{DataSource, OptimizerConfig, TrainConfig, Trainer};

fn run(title: &str, config: TrainConfig, epochs: u64, every: u64) -> f64 {
    println!("{title}");
    let mut t = match Trainer::new(config) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("invalid config: {e}");
            std::process::exit(2);
        }
    };
    if title.contains("反向传播") {
        println!("训练集大小: {}", t.data().n_train());
        println!("测试集大小: {}", t.data().n_test());
    }
    for _ in 0..epochs {
        t.step_epoch();
        if let Some(e) = t.last_epoch()
            && e.epoch % every == 0
        {
            println!(
                "Epoch {}/{epochs}, Loss: {:.4}, Accuracy: {:.4}, Test accuracy: {:.4}",
                e.epoch, e.train_loss, e.train_acc, e.test_acc
            );
        }
    }
    let test_acc = t.last_epoch().map_or(f64::NAN, |e| e.test_acc);
    println!("\n测试集准确率: {test_acc:.4}\n");
    test_acc
}

fn main() {
    let seed = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let mut tutorial = TrainConfig {
        seed,
        ..TrainConfig::default()
    };
    tutorial.dataset.kind = DataSource::Tutorial;
    run(
        "训练神经网络(使用反向传播): GD lr 0.1, full batch",
        tutorial.clone(),
        1000,
        100,
    );

    let adam = TrainConfig {
        optimizer: OptimizerConfig::Adam(AdamConfig::default()),
        ..tutorial
    };
    run(
        "使用PyTorch训练神经网络 (the same loop here): Adam lr 0.001",
        adam,
        1000,
        200,
    );
}
