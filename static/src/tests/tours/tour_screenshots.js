// A tour step that saves a screenshot of the screen it waits for (tests/tour_screenshots.py):
// it logs "marketplace-screenshot:<name>", the test's browser captures the page and sets
// window.marketplaceScreenshot to the name, and the tour goes on.
const SETTLE_MS = 400; // let the last rendering, fonts and transitions finish
const WAIT_MS = 15000;

// ``scroll``: bring the trigger's element into view first (it is at the bottom of a long form).
export function screenshot(name, trigger, { scroll = false } = {}) {
    return {
        content: `Screenshot of ${name}`,
        trigger,
        async run() {
            if (scroll) {
                this.anchor.scrollIntoView({ block: "end" });
            }
            window.marketplaceScreenshot = null;
            await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
            console.log(`marketplace-screenshot:${name}`);
            const started = Date.now();
            while (window.marketplaceScreenshot !== name) {
                if (Date.now() - started > WAIT_MS) {
                    throw new Error(`No screenshot of ${name} was taken`);
                }
                await new Promise((resolve) => setTimeout(resolve, 50));
            }
        },
    };
}
