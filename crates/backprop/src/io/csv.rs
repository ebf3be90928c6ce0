//! Points as CSV, written and read back byte for byte.
//!
//! Three shapes, each with the header `export_csv` writes:
//!
//! | points | header | label column |
//! | --- | --- | --- |
//! | 2-D, classes | `x,y,label,split` | a class, 0 to 7 |
//! | 2-D, values | `x,y,value,split` | any finite number |
//! | 1-D, values (a curve) | `x,value,split` | any finite number |
//!
//! `import_csv` reads any of them, with or without the header, with or
//! without the `split` column (`train`, `test`, or empty for `train`), and
//! skips blank lines and `#` comments. A header may also name the inputs
//! `x1,x2` (or `x₁,x₂`) and the label `class` or `target`. Without a header,
//! two columns are a curve, three are `x,y,label` unless the third is a split
//! (`x,value,split`), and the label column holds classes when every label is
//! a class (a whole number from 0 to 7) and the current run has classes;
//! otherwise values. The first bad line stops the import with its line and
//! column named, and nothing is imported.

use crate::data::{Data, MAX_POINTS, ValueShape};
use crate::error::{ConfigError, Result};

/// Largest CSV accepted.
pub const MAX_CSV_BYTES: usize = 8 * 1024 * 1024;
/// The highest class a label column may hold: `custom` data has 2 to 8 classes
/// (`config::CLASSES`).
const MAX_CLASS: u8 = 7;

/// The points as CSV, in the shape that fits them (see the module's table).
pub fn export_csv(data: &Data) -> String {
    let values = data.values();
    let mut out = String::from(match (values, data.is_1d()) {
        (None, _) => "x,y,label,split\n",
        (Some(_), false) => "x,y,value,split\n",
        (Some(_), true) => "x,value,split\n",
    });
    for i in 0..data.len() {
        let split = if data.test_flags()[i] == 1 {
            "test"
        } else {
            "train"
        };
        let (x, y) = (data.points()[2 * i], data.points()[2 * i + 1]);
        // `{}` writes the shortest decimal that reads back as the same f64.
        let line = match values {
            None => format!("{x},{y},{},{split}\n", data.labels()[i]),
            Some(v) if data.is_1d() => format!("{x},{},{split}\n", v[i]),
            Some(v) => format!("{x},{y},{},{split}\n", v[i]),
        };
        out.push_str(&line);
    }
    out
}

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    X,
    Y,
    /// A class label.
    Label,
    /// A value to predict.
    Value,
    /// The label column of a file without a header: classes or values.
    Either,
    Split,
}

impl Column {
    fn from_header(name: &str) -> Option<Self> {
        Some(match name.to_ascii_lowercase().as_str() {
            "x" | "x1" | "x₁" => Self::X,
            "y" | "x2" | "x₂" => Self::Y,
            "label" | "class" => Self::Label,
            "value" | "target" => Self::Value,
            "split" => Self::Split,
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        match self {
            Self::X => "x",
            Self::Y => "y",
            Self::Label => "label",
            Self::Value => "value",
            Self::Either => "label or value",
            Self::Split => "split",
        }
    }
}

/// The layouts a file may have: the inputs, a label, and perhaps a split.
const LAYOUTS: [&[Column]; 6] = [
    &[Column::X, Column::Y, Column::Label, Column::Split],
    &[Column::X, Column::Y, Column::Label],
    &[Column::X, Column::Y, Column::Value, Column::Split],
    &[Column::X, Column::Y, Column::Value],
    &[Column::X, Column::Value, Column::Split],
    &[Column::X, Column::Value],
];

/// Where an error is: `data.csv line 3, column 2 (y)`.
fn at(line: usize, column: usize, what: &str) -> String {
    format!("data.csv line {line}, column {column} ({what})")
}

/// One data line: inputs, the label's text, the test flag, and where it was.
struct Row<'a> {
    line: usize,
    x: f64,
    y: f64,
    label: &'a str,
    test: u8,
}

/// Points from CSV text (see the module's documentation for the shapes and
/// rules); `prefer_values` says what a headerless file's labels are when
/// they could be classes. Every error names the line and column.
pub fn import_csv(text: &str, prefer_values: bool, standardize: bool) -> Result<Data> {
    if text.len() > MAX_CSV_BYTES {
        return Err(ConfigError::invalid(
            "data.csv",
            format!("at most {MAX_CSV_BYTES} bytes are accepted, got {}", text.len()),
        ));
    }
    let lines: Vec<Line> = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'))
        .collect();
    let (layout, body) = layout(&lines)?;
    if body.is_empty() {
        let line = lines.last().map_or(1, |&(line, _)| line);
        return Err(ConfigError::invalid(
            at(line, 1, "points"),
            "the file holds no points",
        ));
    }
    let mut rows = Vec::with_capacity(body.len());
    for &(line, text) in body {
        if rows.len() == MAX_POINTS {
            return Err(ConfigError::out_of_range(
                at(line, 1, "points"),
                "at most 100000 points",
                MAX_POINTS + 1,
            ));
        }
        rows.push(row(line, text, &layout)?);
    }
    let label = layout[if layout[1] == Column::Y { 2 } else { 1 }];
    let label_column = layout.iter().position(|&c| c == label).unwrap_or(0) + 1;
    let is_class = |s: &str| s.parse::<u8>().is_ok_and(|c| c <= MAX_CLASS);
    let one_d = layout[1] != Column::Y;
    // A curve's points always carry values.
    let values = match label {
        Column::Value => true,
        Column::Label => false,
        _ => one_d || prefer_values || !rows.iter().all(|r| is_class(r.label)),
    };
    let points: Vec<f64> = rows.iter().flat_map(|r| [r.x, r.y]).collect();
    let test: Vec<u8> = rows.iter().map(|r| r.test).collect();
    if values {
        let mut v = Vec::with_capacity(rows.len());
        for r in &rows {
            v.push(number(r.label, r.line, label_column, "value")?);
        }
        let shape = ValueShape { one_d };
        return Data::from_values(points, v, test, shape, standardize);
    }
    let mut labels = Vec::with_capacity(rows.len());
    for r in &rows {
        let class = r.label.parse::<u8>().ok().filter(|&c| c <= MAX_CLASS);
        labels.push(class.ok_or_else(|| {
            ConfigError::invalid(
                at(r.line, label_column, "label"),
                format!("expected a class from 0 to {MAX_CLASS}, got {:?}", r.label),
            )
        })?);
    }
    let classes = labels
        .iter()
        .map(|&c| usize::from(c) + 1)
        .max()
        .unwrap_or(2)
        .max(2);
    Data::from_parts(points, labels, test, classes, standardize)
}

/// A line's number (from 1) and its text, trimmed.
type Line<'a> = (usize, &'a str);

/// The file's columns, from its header or its first data line, and the data lines.
fn layout<'l, 'a>(lines: &'l [Line<'a>]) -> Result<(Vec<Column>, &'l [Line<'a>])> {
    let Some(&(line, first)) = lines.first() else {
        return Ok((Vec::new(), lines));
    };
    let cells: Vec<&str> = first.split(',').map(str::trim).collect();
    if cells[0].parse::<f64>().is_err() {
        let mut columns = Vec::with_capacity(cells.len());
        for (i, name) in cells.iter().enumerate() {
            columns.push(Column::from_header(name).ok_or_else(|| {
                ConfigError::invalid(
                    at(line, i + 1, "header"),
                    format!("expected x, y (or x1, x2), label, value or split, got {name:?}"),
                )
            })?);
        }
        if !LAYOUTS.contains(&columns.as_slice()) {
            return Err(ConfigError::invalid(
                at(line, 1, "header"),
                format!(
                    "expected x,y,label[,split], x,y,value[,split] or x,value[,split], got {}",
                    cells.join(",")
                ),
            ));
        }
        return Ok((columns, &lines[1..]));
    }
    let columns = match cells.len() {
        2 => vec![Column::X, Column::Either],
        3 if is_split(cells[2]) => vec![Column::X, Column::Either, Column::Split],
        3 => vec![Column::X, Column::Y, Column::Either],
        _ => vec![Column::X, Column::Y, Column::Either, Column::Split],
    };
    Ok((columns, lines))
}

fn is_split(s: &str) -> bool {
    ["train", "test"].contains(&s.to_ascii_lowercase().as_str())
}

/// A finite number from `cell`, or an error naming its line and column.
fn number(cell: &str, line: usize, column: usize, what: &str) -> Result<f64> {
    let v: f64 = cell
        .parse()
        .map_err(|_| ConfigError::invalid(at(line, column, what), format!("not a number: {cell:?}")))?;
    if v.is_finite() {
        Ok(v)
    } else {
        Err(ConfigError::out_of_range(at(line, column, what), "finite", v))
    }
}

/// One data line read with `layout`.
fn row<'a>(line: usize, text: &'a str, layout: &[Column]) -> Result<Row<'a>> {
    let cells: Vec<&str> = text.split(',').map(str::trim).collect();
    // A line may leave out the split; otherwise it has exactly the layout's columns.
    let need = if layout.last() == Some(&Column::Split) {
        layout.len() - 1..=layout.len()
    } else {
        layout.len()..=layout.len()
    };
    if !need.contains(&cells.len()) {
        // The first column too many, or the first one missing.
        let column = cells.len().min(*need.end()) + 1;
        let names: Vec<&str> = layout.iter().map(|c| c.name()).collect();
        return Err(ConfigError::invalid(
            at(line, column, "columns"),
            format!(
                "expected the columns {}, got {} columns",
                names.join(", "),
                cells.len()
            ),
        ));
    }
    let mut r = Row {
        line,
        x: 0.0,
        y: 0.0,
        label: "",
        test: 0,
    };
    for (i, (&column, &cell)) in layout.iter().zip(&cells).enumerate() {
        match column {
            Column::X => r.x = number(cell, line, i + 1, "x")?,
            Column::Y => r.y = number(cell, line, i + 1, "y")?,
            Column::Label | Column::Value | Column::Either => r.label = cell,
            Column::Split => {
                r.test = match cell.to_ascii_lowercase().as_str() {
                    "" | "train" => 0,
                    "test" => 1,
                    other => {
                        return Err(ConfigError::invalid(
                            at(line, i + 1, "split"),
                            format!("expected train or test, got {other:?}"),
                        ));
                    }
                }
            }
        }
    }
    Ok(r)
}
