import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

// Every step that acts is scoped to a class only its own screen carries (set on the view's arch:
// o_marketplace_account_list, o_marketplace_account_form, o_marketplace_fetch_wizard). A bare
// trigger such as ".o_list_button_add" also matches the screen the previous click is leaving
// (the Sales app opens on the quotations list, which has a New button too): the tour then clicks
// the old screen's button while the new one loads, and waits for a form that never opens.

const openMarketplaceMenu = (item) => [
    ...stepUtils.goToAppSteps("sale.sale_menu_root", "Open the Sales app"),
    {
        content: "Open the Marketplace menu",
        trigger: '.o-dropdown[data-menu-xmlid="sale_marketplace_connector.marketplace_menu"]',
        run: "click",
    },
    {
        content: `Open ${item}`,
        trigger: `.o-dropdown-item[data-menu-xmlid="sale_marketplace_connector.${item}"]`,
        run: "click",
    },
];

// A sales manager connects a CS-Cart shop and finds the status table pre-filled.
registry.category("web_tour.tours").add("marketplace_account_tour", {
    url: "/odoo",
    steps: () => [
        ...openMarketplaceMenu("marketplace_account_menu"),
        {
            content: "Create an account (the New button of the accounts list)",
            trigger: ".o_marketplace_account_list .o_list_button_add",
            run: "click",
        },
        {
            content: "Name it",
            trigger: ".o_marketplace_account_form .o_field_widget[name=name] input",
            run: "edit Tour CS-Cart shop",
        },
        {
            content: "Choose CS-Cart",
            trigger:
                ".o_marketplace_account_form .o_field_widget[name=backend] .o_radio_item:contains(CS-Cart) input",
            run: "click",
        },
        {
            content: "Give the shop's address",
            trigger: ".o_marketplace_account_form .o_field_widget[name=api_url] input",
            run: "edit https://shop.example",
        },
        {
            content: "Give the API key",
            trigger: ".o_marketplace_account_form .o_field_widget[name=api_secret] input",
            run: "edit tour-api-key",
        },
        {
            content: "Save",
            trigger: ".o_marketplace_account_form .o_form_button_save",
            run: "click",
        },
        {
            content: "Saved: the breadcrumb shows the new account's name instead of New",
            trigger: ".o_breadcrumb .active:contains(Tour CS-Cart shop)",
        },
        {
            content: "The CS-Cart status table is there, Processed imported as a sales order",
            trigger:
                ".o_marketplace_account_form .o_field_widget[name=status_mapping_ids] .o_data_row:contains(Processed):contains(Sales Order)",
        },
        {
            content: "Incomplete orders are listed too",
            trigger:
                ".o_marketplace_account_form .o_field_widget[name=status_mapping_ids] .o_data_row:contains(Incomplete)",
        },
    ],
});

// A sales user fetches orders now and reads the result in the wizard.
registry.category("web_tour.tours").add("marketplace_fetch_tour", {
    url: "/odoo",
    steps: () => [
        ...openMarketplaceMenu("marketplace_fetch_wizard_menu"),
        {
            content: "The active account is preselected",
            trigger:
                ".modal .o_marketplace_fetch_wizard .o_field_widget[name=account_ids] .o_tag:contains(Tour OTTO)",
        },
        {
            content: "Fetch",
            trigger: ".modal:has(.o_marketplace_fetch_wizard) button[name=action_fetch]",
            run: "click",
        },
        {
            content: "The result log lists the created order",
            trigger:
                ".modal .o_marketplace_fetch_wizard .o_field_widget[name=line_ids] .o_data_row:contains(Created)",
        },
        {
            content: "and the summary of the run",
            trigger: ".modal .o_marketplace_fetch_wizard .o_field_widget[name=summary]:contains(1 created)",
        },
        {
            content: "Close",
            trigger: ".modal:has(.o_marketplace_fetch_wizard) .modal-footer button:contains(Close)",
            run: "click",
        },
        {
            content: "The wizard is gone",
            trigger: "body:not(:has(.modal))",
        },
    ],
});
