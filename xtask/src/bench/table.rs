//! The table the bench ends with: each workload's title, then one row per
//! figure, aligned for a terminal.

/// One figure of one workload.
pub struct Row {
    pub figure: String,
    pub relay: String,
    pub hanmadi: String,
    pub ratio: String,
    pub target: String,
}

impl Row {
    fn cells(&self) -> [&str; 5] {
        [&self.figure, &self.relay, &self.hanmadi, &self.ratio, &self.target].map(String::as_str)
    }
}

#[derive(Default)]
pub struct Table {
    workloads: Vec<(String, Vec<Row>)>,
    notes: Vec<String>,
}

impl Table {
    /// Starts a workload's rows.
    pub fn workload(&mut self, title: &str) {
        self.workloads.push((title.to_owned(), Vec::new()));
    }

    /// A row of the last workload started.
    pub fn push(&mut self, row: Row) {
        self.workloads.last_mut().expect("a workload is started before its rows").1.push(row);
    }

    /// A line printed under the table.
    pub fn note(&mut self, note: String) {
        self.notes.push(note);
    }

    pub fn print(&self) {
        let header = ["", "relay", "Hanmadi", "ratio", "target"];
        let mut widths = header.map(|title| title.chars().count());
        for row in self.workloads.iter().flat_map(|(_, rows)| rows) {
            for (width, cell) in widths.iter_mut().zip(row.cells()) {
                *width = (*width).max(cell.chars().count());
            }
        }
        let line = |cells: [&str; 5]| {
            let padded: Vec<String> = cells
                .iter()
                .zip(widths)
                .enumerate()
                .map(|(column, (cell, width))| {
                    let pad = " ".repeat(width - cell.chars().count());
                    // Figures are right-aligned, words left-aligned.
                    if (1..=3).contains(&column) {
                        format!("{pad}{cell}")
                    } else {
                        format!("{cell}{pad}")
                    }
                })
                .collect();
            println!("  {}", padded.join("  ").trim_end());
        };
        println!();
        line(header);
        for (title, rows) in &self.workloads {
            println!("\n{title}");
            for row in rows {
                line(row.cells());
            }
        }
        println!();
        for note in &self.notes {
            println!("{note}");
        }
    }
}
