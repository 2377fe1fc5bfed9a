//! Text that shows whole on its first frame. egui draws a glyph into its font texture the
//! frame the glyph is first laid out, and the texture reaches the GPU a frame later, so a new
//! caption's first frame showed gaps where its new characters go. With subpixel binning each
//! glyph has up to four bitmaps, one per fractional position, and the gaps kept coming. A
//! recording keeps every such frame; these systems make sure the glyphs are there beforehand.

use bevy::prelude::*;
use bevy_egui::egui::{Color32, FontId};
use bevy_egui::{EguiContexts, EguiPrimaryContextPass};

use crate::app::schedule::UiSystems;

/// Every character the app's panels and captions use.
const GLYPHS: &str = " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~·→←½²…−×σψ∂ₓ₁₂●▶⏸ÀÂÇÉÈÊËÎÏÔÙÛàâçéèêëîïôùûüœ’";
/// The sizes the app writes in: egui's own text styles and the scene's captions.
const PROPORTIONAL: [f32; 9] = [9.0, 11.0, 12.0, 12.5, 13.0, 14.0, 15.0, 18.0, 20.0];
const MONOSPACE: [f32; 4] = [11.0, 11.5, 12.0, 12.5];

pub(super) fn plugin(app: &mut App) {
    app.add_systems(
        EguiPrimaryContextPass,
        lay_out_every_glyph.before(UiSystems::Panels),
    );
}

/// Turns subpixel binning off (one bitmap per glyph and size) and lays out [`GLYPHS`] in every
/// size: cached by egui from frame to frame, and redone at once whenever egui rebuilds its font
/// texture.
fn lay_out_every_glyph(mut contexts: EguiContexts) -> Result {
    let ctx = contexts.ctx_mut()?;
    if ctx.global_style().visuals.text_options.subpixel_binning {
        ctx.all_styles_mut(|style| style.visuals.text_options.subpixel_binning = false);
    }
    let fonts = PROPORTIONAL
        .map(FontId::proportional)
        .into_iter()
        .chain(MONOSPACE.map(FontId::monospace));
    for font in fonts {
        ctx.fonts_mut(|f| {
            f.layout_no_wrap(GLYPHS.into(), font, Color32::WHITE);
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use bevy_egui::egui;

    #[test]
    fn a_caption_of_known_glyphs_uploads_nothing_new() {
        let caption = "Mise à jour : Adam a déplacé les poids (taux 0.001) → 1.342";
        // Whether a pass laying out `texts`, after one laying out `first`, drew new glyphs.
        let uploads = |first: &str, then: &str| {
            let ctx = egui::Context::default();
            ctx.all_styles_mut(|style| style.visuals.text_options.subpixel_binning = false);
            let pass = |text: &str| {
                let mut output = ctx.run_ui(egui::RawInput::default(), |ui| {
                    ui.ctx().fonts_mut(|f| {
                        f.layout(
                            text.into(),
                            FontId::proportional(12.5),
                            Color32::WHITE,
                            200.0,
                        );
                    });
                });
                let uploaded = !output.textures_delta.set.is_empty();
                output.textures_delta.clear();
                uploaded
            };
            pass(first);
            pass(then)
        };
        assert!(uploads("", caption), "new glyphs are uploaded");
        assert!(
            !uploads(GLYPHS, caption),
            "the caption's glyphs were all there"
        );
    }
}
