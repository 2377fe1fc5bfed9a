//! The holder of a network that an optimiser replaces in place.

/// A network the optimiser takes out and puts back. Passing it a clone instead would leave the
/// weights shared with the field, so the CPU backend would copy every weight before updating
/// it in place.
pub(in crate::gan) struct Slot<M>(Option<M>);

impl<M> Slot<M> {
    pub(super) fn new(network: M) -> Self {
        Self(Some(network))
    }

    /// Replaces the network by `change(network)`.
    pub(super) fn update(&mut self, change: impl FnOnce(M) -> M) {
        let network = self
            .0
            .take()
            .expect("a slot is empty only during an update");
        self.0 = Some(change(network));
    }
}

impl<M> std::ops::Deref for Slot<M> {
    type Target = M;

    fn deref(&self) -> &M {
        self.0
            .as_ref()
            .expect("a slot is empty only during an update")
    }
}
