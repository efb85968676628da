package org.yrd.linkage.console;

import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;

/**
 * Takes docs/console-province.png and docs/console-centre.png from a running console (the demo's)
 * with the same headless Chromium as {@link ConsoleBrowserTest}: a province's view with an
 * answered cross-border alert open, and the centre's view once rule feedback is published.
 *
 * <pre>
 * java -cp "$(cat cp.txt):jobs/cli/target/test-classes:jobs/cli/target/classes" \
 *     org.yrd.linkage.console.ConsoleScreenshots http://127.0.0.1:18080/ PROVINCE_TOKEN CENTRE_TOKEN docs
 * </pre>
 */
public final class ConsoleScreenshots {

    private ConsoleScreenshots() {}

    public static void main(String[] args) throws Exception {
        String url = args[0];
        Path out = Path.of(args[3]);
        Path profile = Files.createTempDirectory("console-screenshots");
        WebDriver browser = ConsoleBrowserTest.chromium(profile);
        try {
            signIn(browser, url, args[1]);
            WebDriverWait wait = new WebDriverWait(browser, Duration.ofMinutes(3), Duration.ofMillis(250));
            // a chain that crossed a border and that the province has answered, or failing that the newest
            wait.until(d -> !d.findElements(By.cssSelector("li.alert-row .chip.answered")).isEmpty());
            List<WebElement> answered = browser.findElements(By.xpath(
                    "//li[contains(@class,'alert-row') and not(contains(@class,'escalation')) and .//span[contains(@class,'answered')]]"));
            answered.get(0).click();
            wait.until(d -> d.findElement(By.id("detail")).isDisplayed() && !d.findElements(By.cssSelector("#map path.city.hit")).isEmpty());
            Thread.sleep(1500);
            shoot(browser, out.resolve("console-province.png"));
            browser.findElement(By.id("signout")).click();
            wait.until(d -> d.findElement(By.id("token")).isDisplayed());

            // the centre's view is long: escalations, every province, the feedback figures
            browser.manage().window().setSize(new Dimension(1440, 1900));
            signIn(browser, url, args[2]);
            wait.until(d -> !d.findElements(By.cssSelector("#feedback tbody tr[data-rule]")).isEmpty()
                    && !d.findElements(By.cssSelector("#escalations tbody tr")).isEmpty());
            browser.findElement(By.cssSelector("#escalations tbody tr")).click();
            wait.until(d -> d.findElement(By.id("detail")).isDisplayed());
            Thread.sleep(1500);
            shoot(browser, out.resolve("console-centre.png"));
        } finally {
            browser.quit();
        }
    }

    private static void signIn(WebDriver browser, String url, String token) {
        browser.get(url);
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));
        wait.until(d -> d.findElement(By.id("token")).isDisplayed());
        browser.findElement(By.id("token")).sendKeys(token);
        browser.findElement(By.id("signin-button")).click();
        wait.until(d -> d.findElement(By.id("live")).getAttribute("class").contains("on"));
    }

    private static void shoot(WebDriver browser, Path file) throws Exception {
        Path png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
        Files.copy(png, file, StandardCopyOption.REPLACE_EXISTING);
        System.out.println("screenshot: " + file);
    }
}
