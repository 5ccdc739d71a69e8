//! Moving byte ranges by an edit's delta: the parts of the model read from a
//! subtree the incremental parse reused are kept, shifted to where the
//! subtree sits now. Every impl destructures its type, so a new field with
//! a range cannot be forgotten here.

use super::*;

pub(super) trait Shift {
    fn shift(&mut self, delta: isize);
}

impl Shift for usize {
    fn shift(&mut self, delta: isize) {
        *self = self.wrapping_add_signed(delta);
    }
}

impl Shift for Span {
    fn shift(&mut self, delta: isize) {
        self.start.shift(delta);
        self.end.shift(delta);
    }
}

impl<T: Shift> Shift for Option<T> {
    fn shift(&mut self, delta: isize) {
        if let Some(inner) = self {
            inner.shift(delta);
        }
    }
}

impl<T: Shift> Shift for Vec<T> {
    fn shift(&mut self, delta: isize) {
        for item in self {
            item.shift(delta);
        }
    }
}

impl<T: Shift> Shift for Box<T> {
    fn shift(&mut self, delta: isize) {
        (**self).shift(delta);
    }
}

impl Shift for (String, Span) {
    fn shift(&mut self, delta: isize) {
        self.1.shift(delta);
    }
}

impl Shift for Instruction {
    fn shift(&mut self, delta: isize) {
        let Instruction {
            keyword: _,
            keyword_text: _,
            keyword_range,
            range,
            known: _,
            flags,
            arguments: _,
            arguments_range,
            json_form: _,
            trigger,
            heredocs,
            empty_continuation_lines,
        } = self;
        keyword_range.shift(delta);
        range.shift(delta);
        flags.shift(delta);
        arguments_range.shift(delta);
        trigger.shift(delta);
        heredocs.shift(delta);
        empty_continuation_lines.shift(delta);
    }
}

impl Shift for Heredoc {
    fn shift(&mut self, delta: isize) {
        let Heredoc {
            marker_range,
            body_range,
            terminated: _,
            range,
        } = self;
        marker_range.shift(delta);
        body_range.shift(delta);
        range.shift(delta);
    }
}

impl Shift for Flag {
    fn shift(&mut self, delta: isize) {
        let Flag {
            name: _,
            name_range,
            value: _,
            value_range,
            range,
            mount_params,
        } = self;
        name_range.shift(delta);
        value_range.shift(delta);
        range.shift(delta);
        mount_params.shift(delta);
    }
}

impl Shift for MountParam {
    fn shift(&mut self, delta: isize) {
        let MountParam {
            key: _,
            key_range,
            value: _,
            value_range,
        } = self;
        key_range.shift(delta);
        value_range.shift(delta);
    }
}

impl Shift for StageName {
    fn shift(&mut self, delta: isize) {
        let StageName {
            text: _,
            lowercase: _,
            range,
        } = self;
        range.shift(delta);
    }
}

impl Shift for ImageRef {
    fn shift(&mut self, delta: isize) {
        let ImageRef {
            text: _,
            range,
            name: _,
            tag: _,
            digest: _,
        } = self;
        range.shift(delta);
    }
}

impl Shift for Base {
    fn shift(&mut self, delta: isize) {
        match self {
            Base::Image(image) => image.shift(delta),
            Base::Stage(_) | Base::Scratch | Base::Missing => {}
        }
    }
}

impl Shift for Stage {
    fn shift(&mut self, delta: isize) {
        let Stage {
            index: _,
            range,
            from,
            name,
            as_keyword,
            base,
            base_text: _,
            base_range,
            platform,
            instructions,
            vars,
            extra_from_words,
        } = self;
        range.shift(delta);
        from.shift(delta);
        name.shift(delta);
        as_keyword.shift(delta);
        base.shift(delta);
        base_range.shift(delta);
        platform.shift(delta);
        instructions.shift(delta);
        vars.shift(delta);
        extra_from_words.shift(delta);
    }
}

impl Shift for VarUse {
    fn shift(&mut self, delta: isize) {
        let VarUse {
            name: _,
            range,
            stage: _,
            instruction_start,
            in_shell: _,
        } = self;
        range.shift(delta);
        instruction_start.shift(delta);
    }
}

impl Shift for VarDecl {
    fn shift(&mut self, delta: isize) {
        let VarDecl {
            kind: _,
            name: _,
            name_range,
            value: _,
            range,
            stage: _,
        } = self;
        name_range.shift(delta);
        range.shift(delta);
    }
}
