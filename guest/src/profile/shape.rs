//! The shapes of string values, generalised into a regular expression every value matches:
//! runs of upper-case letters, lower-case letters and digits become character classes with the
//! run lengths seen, other characters stay literal (`AB-12`, `XYZ-1234` -> `^[A-Z]{2,3}-[0-9]{2,4}$`).
//! Columns with too many different shapes (names, free text) get no pattern.

use serde::{Deserialize, Serialize};

/// Most alternative shapes in one pattern.
const MAX_SHAPES: usize = 4;
/// Most runs in one shape.
const MAX_RUNS: usize = 16;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
enum CharClass {
    Upper,
    Lower,
    Digit,
    Literal(char),
}

impl CharClass {
    fn of(c: char) -> CharClass {
        match c {
            'A'..='Z' => CharClass::Upper,
            'a'..='z' => CharClass::Lower,
            '0'..='9' => CharClass::Digit,
            other => CharClass::Literal(other),
        }
    }

    fn regex(self) -> String {
        match self {
            CharClass::Upper => "[A-Z]".into(),
            CharClass::Lower => "[a-z]".into(),
            CharClass::Digit => "[0-9]".into(),
            CharClass::Literal(c) => regex::escape(c.encode_utf8(&mut [0; 4])),
        }
    }
}

/// A sequence of runs, each with the shortest and longest length seen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Shape {
    classes: Vec<CharClass>,
    lengths: Vec<(u32, u32)>,
}

/// The shapes of a column's values; `None` once there are too many.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShapeSet {
    shapes: Option<Vec<Shape>>,
    #[serde(skip)]
    runs: Vec<(CharClass, u32)>,
}

impl Default for ShapeSet {
    fn default() -> Self {
        ShapeSet { shapes: Some(Vec::new()), runs: Vec::new() }
    }
}

impl ShapeSet {
    /// Whether more values can still change the outcome.
    pub fn open(&self) -> bool {
        self.shapes.is_some()
    }

    pub fn add(&mut self, text: &str) {
        if self.shapes.is_none() {
            return;
        }
        self.runs.clear();
        for c in text.chars() {
            let class = CharClass::of(c);
            match self.runs.last_mut() {
                Some((last, length)) if *last == class => *length += 1,
                _ => self.runs.push((class, 1)),
            }
            if self.runs.len() > MAX_RUNS {
                self.shapes = None;
                return;
            }
        }
        let classes = self.runs.iter().map(|(c, _)| *c);
        let lengths = self.runs.iter().map(|(_, l)| (*l, *l));
        self.widen(Shape { classes: classes.collect(), lengths: lengths.collect() });
    }

    fn widen(&mut self, shape: Shape) {
        let Some(shapes) = &mut self.shapes else { return };
        if let Some(known) = shapes.iter_mut().find(|s| s.classes == shape.classes) {
            for (a, b) in known.lengths.iter_mut().zip(shape.lengths) {
                *a = (a.0.min(b.0), a.1.max(b.1));
            }
        } else if shapes.len() < MAX_SHAPES {
            shapes.push(shape);
        } else {
            self.shapes = None;
        }
    }

    pub fn merge(&mut self, other: ShapeSet) {
        match other.shapes {
            None => self.shapes = None,
            Some(shapes) => shapes.into_iter().for_each(|shape| self.widen(shape)),
        }
    }

    /// A regular expression matching every value seen in full, if the shapes are few.
    pub fn pattern(&self) -> Option<String> {
        let mut shapes = self.shapes.clone()?;
        if shapes.is_empty() {
            return None;
        }
        shapes.sort_by(|a, b| a.classes.cmp(&b.classes));
        let alternatives: Vec<String> = shapes
            .iter()
            .map(|shape| {
                let runs = shape.classes.iter().zip(&shape.lengths).map(|(class, (low, high))| {
                    let count = if low == high { format!("{{{low}}}") } else { format!("{{{low},{high}}}") };
                    format!("{}{}", class.regex(), if (*low, *high) == (1, 1) { String::new() } else { count })
                });
                runs.collect()
            })
            .collect();
        Some(match alternatives.as_slice() {
            [only] => format!("^{only}$"),
            many => format!("^(?:{})$", many.join("|")),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_generalise_into_a_pattern_that_matches_every_value() {
        let values = ["AB-12", "XYZ-1234", "Q-7", "ab.c", "a.b"];
        let mut set = ShapeSet::default();
        values.iter().for_each(|v| set.add(v));
        let pattern = set.pattern().unwrap();
        assert_eq!(pattern, r"^(?:[A-Z]{1,3}\-[0-9]{1,4}|[a-z]{1,2}\.[a-z])$");
        let regex = regex::Regex::new(&pattern).unwrap();
        assert!(values.iter().all(|v| regex.is_match(v)));
        assert!(!regex.is_match("AB-12x"));
    }

    #[test]
    fn too_many_shapes_give_no_pattern() {
        let mut set = ShapeSet::default();
        ["a", "A", "1", "-", "a1"].iter().for_each(|v| set.add(v));
        assert_eq!(set.pattern(), None);
        let mut other = ShapeSet::default();
        other.add("x");
        other.merge(set);
        assert!(!other.open());
    }
}
