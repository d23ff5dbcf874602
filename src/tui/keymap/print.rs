//! Printing the effective keymap as TOML (`dolbom keymap --print`); it parses back to the same
//! keymap.

use super::Keymap;
use super::context::Context;

impl Keymap {
    /// The effective keymap as TOML (`dolbom keymap --print`); parses back to the same keymap.
    pub fn to_toml(&self) -> String {
        let mut out = String::from("# dolbom 키맵 (적용 중인 전체 설정)\n");
        for ctx in Context::ALL {
            let list = self.bindings(*ctx);
            if list.is_empty() {
                continue;
            }
            out.push_str(&format!("\n[{}]\n", ctx.name()));
            for b in list {
                let key = quote(&b.keys.to_string());
                match &b.desc {
                    Some(d) => out.push_str(&format!(
                        "{key} = {{ action = {}, desc = {} }}\n",
                        quote(b.action.name()),
                        quote(d)
                    )),
                    None => out.push_str(&format!("{key} = {}\n", quote(b.action.name()))),
                }
            }
        }
        out
    }
}

fn quote(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}
