// The admin's navigation sidebar starts closed on screens narrower than 1500 px, so a list or form gets the width.
// Django's nav_sidebar.js (deferred) reads this choice; the toggle button still opens it, and the choice is kept.
"use strict";
try {
  if (window.localStorage.getItem("django.admin.navSidebarIsOpen") === null && window.innerWidth < 1500) {
    window.localStorage.setItem("django.admin.navSidebarIsOpen", "false");
  }
} catch (error) {
  // No localStorage (a private window that refuses it): Django's default applies.
}
