import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

// Acting steps are scoped to what only their own screen carries: the marketplace payments list
// (o_marketplace_payment_list), the payment form's "Marketplace Order" button, the sales order
// form's "Marketplace Payments" button (see marketplace_tours.js for why).

// An accountant opens the marketplace payments, one payment, and the order it pays.
registry.category("web_tour.tours").add("marketplace_payment_tour", {
    url: "/odoo",
    steps: () => [
        ...stepUtils.goToAppSteps("account.menu_finance", "Open the Invoicing app"),
        {
            content: "Open the Customers menu",
            trigger: '.o-dropdown[data-menu-xmlid="account.menu_finance_receivables"]',
            run: "click",
        },
        {
            content: "Open Marketplace Payments",
            trigger:
                '.o-dropdown-item[data-menu-xmlid="sale_marketplace_connector.account_payment_menu_marketplace"]',
            run: "click",
        },
        {
            content: "The payments are grouped by marketplace: open OTTO Market",
            trigger: ".o_marketplace_payment_list .o_group_header:contains(OTTO Market)",
            run: "click",
        },
        {
            content: "and by month: open November 2026",
            trigger: ".o_marketplace_payment_list .o_group_header:contains(November 2026)",
            run: "click",
        },
        {
            content: "Open the payment of shop order TOUR000001",
            trigger: ".o_marketplace_payment_list .o_data_row:contains(TOUR000001) td[name=name]",
            run: "click",
        },
        {
            content: "The payment shows its marketplace account",
            trigger:
                ".o_form_view:has(button[name=action_view_marketplace_order]) .o_field_widget[name=marketplace_account_id]:contains(OTTO Tour)",
        },
        {
            content: "Open the order it pays",
            trigger: ".o_form_view button[name=action_view_marketplace_order]:contains(TOUR000001)",
            run: "click",
        },
        {
            content: "The sales order, with its marketplace payment",
            trigger:
                ".o_form_view button[name=action_view_marketplace_payments]:contains(Marketplace Payments)",
        },
        {
            content: "and the shop's order number on its Marketplace tab",
            trigger: ".o_form_view:has(button[name=action_view_marketplace_payments]) .o_notebook a:contains(Marketplace)",
            run: "click",
        },
        {
            content: "TOUR000001",
            trigger:
                ".o_form_view:has(button[name=action_view_marketplace_payments]) .o_field_widget[name=marketplace_order_ref]:contains(TOUR000001)",
        },
    ],
});
