import { registry } from "@web/core/registry";

// Every step that acts is scoped to o_marketplace_picking_form, the class the connector sets on
// the delivery form, and waits for what only the new state of the form shows (see
// marketplace_tours.js on why a bare trigger makes tours flaky).

// A warehouse user validates the delivery of an OTTO order with its tracking number, sends it
// to OTTO and reads on the delivery that OTTO has it.
registry.category("web_tour.tours").add("marketplace_send_delivery_tour", {
    steps: () => [
        {
            content: "Open the Additional Info tab of the delivery",
            trigger: ".o_marketplace_picking_form .o_notebook .nav-link[name=extra]",
            run: "click",
        },
        {
            content: "Type the tracking number",
            trigger: ".o_marketplace_picking_form .o_field_widget[name=carrier_tracking_ref] input",
            run: "edit 00340434161094042557",
        },
        {
            content: "Validate the delivery",
            trigger: ".o_marketplace_picking_form .o_statusbar_buttons button[name=button_validate]",
            run: "click",
        },
        {
            content: "Validated: the shipment waits to be sent",
            trigger:
                ".o_marketplace_picking_form .o_field_widget[name=marketplace_export_state]:contains(To Send)",
        },
        {
            content: "Send it to the shop now",
            trigger: ".o_marketplace_picking_form .o_statusbar_buttons button.o_marketplace_send",
            run: "click",
        },
        {
            content: "The delivery says the shop has it",
            trigger:
                ".o_marketplace_picking_form .o_field_widget[name=marketplace_export_state]:contains(Sent)",
        },
        {
            content: "and no send button is left",
            trigger: ".o_marketplace_picking_form:not(:has(button.o_marketplace_send))",
        },
    ],
});
