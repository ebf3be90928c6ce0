//! A fixed workload for profilers: 300 epochs of the tutorial run (W1), or of
//! W2 with `adam` as the first argument. `valgrind --tool=callgrind` on the
//! release build shows where the instructions go.
use backprop::{TrainConfig, Trainer};

fn main() {
    let json = match std::env::args().nth(1).as_deref() {
        Some("adam") => r#"{"dataset":{"kind":"tutorial"},"optimizer":{"kind":"adam","lr":0.001}}"#,
        _ => r#"{"dataset":{"kind":"tutorial"}}"#,
    };
    let config = TrainConfig::from_json(json).expect("valid config");
    let mut t = Trainer::new(config).expect("valid run");
    for _ in 0..300 {
        t.step_epoch();
    }
    println!(
        "loss after 300 epochs: {:.4}",
        t.last_epoch().map_or(f64::NAN, |e| e.train_loss)
    );
}
