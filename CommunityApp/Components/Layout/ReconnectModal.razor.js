// The reconnect dialog (markup in ReconnectModal.razor): blazor.web.js raises the state changes, this module answers them.
const modal = document.getElementById("components-reconnect-modal");
modal.addEventListener("components-reconnect-state-changed", onStateChanged);
document.getElementById("components-reconnect-button").addEventListener("click", retry);
document.getElementById("components-resume-button").addEventListener("click", resume);
for (const button of document.getElementsByClassName("components-reload-button")) {
    button.addEventListener("click", () => location.reload());
}

function onStateChanged(event) {
    const state = event.detail.state;
    if (state === "show") {
        if (!modal.open) modal.showModal();
    } else if (state === "hide") {
        modal.close();
    } else if (state === "failed") {
        document.addEventListener("visibilitychange", retryWhenVisible);
    } else if (state === "rejected") {
        location.reload();
    }
}

async function retry() {
    document.removeEventListener("visibilitychange", retryWhenVisible);
    try {
        // true: reconnected; false: the server answered but no longer knows this circuit.
        if (!await Blazor.reconnect()) {
            if (await Blazor.resumeCircuit()) modal.close(); else location.reload();
        }
    } catch {
        // Still unreachable: try again when the member comes back to the tab.
        document.addEventListener("visibilitychange", retryWhenVisible);
    }
}

async function resume() {
    try {
        if (!await Blazor.resumeCircuit()) location.reload();
    } catch {
        location.reload();
    }
}

async function retryWhenVisible() {
    if (document.visibilityState === "visible") await retry();
}
